"""Usage metering: a usage event per API request (EventBridge), rolled up into per-project daily counters;
the usage report, and the monthly quota of the project's plan."""
