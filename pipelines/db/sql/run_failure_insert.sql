INSERT INTO pipeline_run_failures (run_id, job_name, partition_key, step_key, error_summary, failed_at)
VALUES (%(run_id)s, %(job_name)s, %(partition_key)s, %(step_key)s, %(error_summary)s, %(failed_at)s)
ON CONFLICT (run_id) DO NOTHING
