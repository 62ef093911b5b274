"""Value types and wire formats: what every floor above speaks (ground floor)."""
