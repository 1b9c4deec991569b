-- How many pages user_job_swipes has now: load_snapshot splits its read by page ranges.
SELECT pg_relation_size('user_job_swipes') / current_setting('block_size')::bigint AS pages
