-- A user's shard: the last 32 bits of the UUID modulo the shard count (pipelines/scoring/shards.py
-- computes the same in Python). Scoring and recommendations scale out by shard.
CREATE FUNCTION user_shard(user_id uuid, shard_count int) RETURNS int
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT (('x' || right(user_id::text, 8))::bit(32)::bigint % shard_count)::int
$$;

-- Which shards the champion has fully rescored (a full rescore is due until all are).
CREATE TABLE scoring_shard_runs (
  model_version INTEGER NOT NULL REFERENCES model_registry(version) ON DELETE CASCADE,
  shard INTEGER NOT NULL CHECK (shard >= 0),
  scored_at TIMESTAMP NOT NULL,
  PRIMARY KEY (model_version, shard)
);

-- Every failed Dagster run, recorded by the run-failure sensor (and alerted, when a webhook is
-- configured). Error summaries name the step and the error, never row values.
CREATE TABLE pipeline_run_failures (
  run_id TEXT PRIMARY KEY,
  job_name TEXT NOT NULL,
  partition_key TEXT,
  step_key TEXT,
  error_summary TEXT NOT NULL,
  failed_at TIMESTAMP NOT NULL,
  recorded_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  alert_sent_at TIMESTAMP,
  alert_error TEXT
);
CREATE INDEX idx_run_failures_failed_at ON pipeline_run_failures(failed_at);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobswipe_pipeline') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON scoring_shard_runs, pipeline_run_failures TO jobswipe_pipeline;
    GRANT EXECUTE ON FUNCTION user_shard(uuid, int) TO jobswipe_pipeline;
  END IF;
END;
$$;
