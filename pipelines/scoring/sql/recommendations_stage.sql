-- The staging of the in-place refresh (RecommendationRefresh): one batch of whole user lists
-- at a time, and the users refreshed so far (the run's rows of other users go at its end).
CREATE TEMP TABLE fresh_recommendations (
  user_id UUID NOT NULL,
  job_posting_id UUID NOT NULL,
  score REAL NOT NULL,
  rank INTEGER NOT NULL,
  model_version INTEGER NOT NULL
) ON COMMIT DROP;
CREATE TEMP TABLE refreshed_users (user_id UUID PRIMARY KEY) ON COMMIT DROP
