UPDATE pipeline_run_failures
   SET alert_sent_at = CASE WHEN %(error)s::text IS NULL THEN now() AT TIME ZONE 'UTC' END,
       alert_error = %(error)s::text
 WHERE run_id = %(run_id)s
