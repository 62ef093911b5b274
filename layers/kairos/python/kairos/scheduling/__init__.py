"""Scheduling: availability from schedules, and the slot engine. Pure code: no I/O, no HTTP, no clock."""
