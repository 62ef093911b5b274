"""The table's change stream turned into events (the stream mapper function's logic)."""
