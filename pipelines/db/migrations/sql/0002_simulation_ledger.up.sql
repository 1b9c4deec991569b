-- Ledger of simulated months: a (world, month) pair is written once, in one transaction, so
-- re-running the simulator never duplicates rows.
CREATE TABLE simulation_batches (
  world_key VARCHAR(64) NOT NULL,
  seed INTEGER NOT NULL,
  scale VARCHAR(16) NOT NULL,
  month DATE NOT NULL,
  row_counts JSONB NOT NULL,
  duration_seconds REAL NOT NULL,
  written_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  PRIMARY KEY (world_key, month)
);
