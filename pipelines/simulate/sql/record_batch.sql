-- The ledger row of a simulated month, in the month's own transaction: it exists only if the
-- month's rows committed, and a rerun skips the month.
INSERT INTO simulation_batches (world_key, seed, scale, month, row_counts, duration_seconds)
VALUES (%(world_key)s, %(seed)s, %(scale)s, %(month)s, %(row_counts)s, %(duration_seconds)s)
