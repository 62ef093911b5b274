"""Outbound HTTP: the SSRF guard and the pinned, time-limited sender webhooks and calendar feeds use."""
