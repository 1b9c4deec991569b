"""Named SQL statements used from Python, kept as .sql files rather than inline strings."""
