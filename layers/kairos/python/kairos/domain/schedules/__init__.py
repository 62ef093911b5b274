"""A resource's schedules: recurring schedules, their blocks, one-off blocks."""
