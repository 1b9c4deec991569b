-- The shards' fresh recommendations, staged for the in-place refresh (recommendations_refresh).
CREATE TEMP TABLE fresh_recommendations (
  user_id UUID NOT NULL,
  job_posting_id UUID NOT NULL,
  score REAL NOT NULL,
  rank INTEGER NOT NULL,
  model_version INTEGER NOT NULL
) ON COMMIT DROP
