"""Webhook subscriptions, their secrets, signed deliveries with retries, and the SSRF guard."""
