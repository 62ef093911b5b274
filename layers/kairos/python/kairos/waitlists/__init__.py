"""Waitlists: entries offered the places that free up (docs/waitlists.md)."""
