-- The first and last swipe: which monthly partitions hold activity.
SELECT min(created_at), max(created_at) FROM user_job_swipes
