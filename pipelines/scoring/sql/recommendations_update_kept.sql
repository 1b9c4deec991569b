-- Pairs recommended again: score, rank and model updated in place, and the time of this refresh.
-- Their keys do not change, so their foreign keys are not checked again (a reordered list's
-- ranks are checked at the end of the statement: migration 0011).
UPDATE recommendations r
   SET score = f.score, rank = f.rank, model_version = f.model_version,
       generated_at = now() AT TIME ZONE 'UTC'
  FROM fresh_recommendations f
 WHERE r.user_id = f.user_id AND r.job_posting_id = f.job_posting_id
