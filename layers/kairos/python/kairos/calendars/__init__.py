"""Busy times from subscribed external calendars (docs/calendar-subscriptions.md)."""
