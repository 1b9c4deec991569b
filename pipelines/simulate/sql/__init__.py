"""SQL the simulator reads with (kept as .sql files)."""
