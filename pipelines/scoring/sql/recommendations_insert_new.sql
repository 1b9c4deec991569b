-- Pairs recommended for the first time since the last refresh.
INSERT INTO recommendations (user_id, job_posting_id, score, rank, model_version)
SELECT f.user_id, f.job_posting_id, f.score, f.rank, f.model_version
  FROM fresh_recommendations f
 WHERE NOT EXISTS (SELECT 1 FROM recommendations r
                    WHERE r.user_id = f.user_id AND r.job_posting_id = f.job_posting_id)
