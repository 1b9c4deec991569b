-- The batch's users' recommendations no longer recommended (before the update and insert, so
-- the ranks they held are free).
DELETE FROM recommendations r
 USING (SELECT DISTINCT user_id FROM fresh_recommendations) batch
 WHERE r.user_id = batch.user_id
   AND NOT EXISTS (SELECT 1 FROM fresh_recommendations f
                    WHERE f.user_id = r.user_id AND f.job_posting_id = r.job_posting_id)
