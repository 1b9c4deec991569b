DROP TABLE IF EXISTS pipeline_run_failures;
DROP TABLE IF EXISTS scoring_shard_runs;
DROP FUNCTION IF EXISTS user_shard(uuid, int);
