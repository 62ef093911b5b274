"""Usage metering: a usage event per API request (EventBridge), rolled up into per-project daily counters,
and the usage report. The monthly quota is enforced where requests are counted
(`kairos.domain.projects.auth`)."""
