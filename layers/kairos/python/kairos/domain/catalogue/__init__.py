"""The catalogue: locations, resources and services."""
