-- The shards' fresh recommendations into the history: a pair keeps the time and model of its
-- first recommendation and its best rank, so recommending it again changes nothing.
INSERT INTO recommendation_history AS h (user_id, job_posting_id, first_recommended_at, model_version, best_rank)
SELECT user_id, job_posting_id, %(recommended_at)s, model_version, rank
  FROM fresh_recommendations
ON CONFLICT (user_id, job_posting_id) DO UPDATE SET best_rank = excluded.best_rank
 WHERE excluded.best_rank < h.best_rank
