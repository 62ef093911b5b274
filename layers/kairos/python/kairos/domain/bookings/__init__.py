"""Bookings: what can be booked (availability, explain), writing them (commit, holds, groups, limits) and
showing them."""
