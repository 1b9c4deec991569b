-- The database half of `jobswipe status`: the champion and its metrics, rejects and recorded run
-- failures of the last day, and when the served tables were last written.
SELECT
  (SELECT jsonb_build_object('version', version, 'validation_month', validation_month,
                             'promoted_at', promoted_at, 'swipes_scored_at', swipes_scored_at,
                             'metrics', metrics -> 'model', 'decision', decision)
     FROM model_registry WHERE status = 'CHAMPION') AS champion,
  (SELECT count(*) FROM ingest_rejects
    WHERE rejected_at > (now() AT TIME ZONE 'UTC') - interval '1 day') AS rejects_last_day,
  (SELECT coalesce(jsonb_agg(jsonb_build_object('run_id', run_id, 'job', job_name,
                                                'partition', partition_key, 'step', step_key,
                                                'error', error_summary, 'failed_at', failed_at)
                             ORDER BY failed_at DESC), '[]'::jsonb)
     FROM pipeline_run_failures
    WHERE failed_at > (now() AT TIME ZONE 'UTC') - interval '1 day') AS recorded_failures,
  (SELECT max(generated_at) FROM recommendations) AS recommendations_generated_at
