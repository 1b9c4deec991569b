-- Which postings each user has been recommended, and when first: the feed's own history, so
-- the marts can tell swipes on recommended postings from the others. One row per pair (the
-- refresh after every ingest recommends the same pairs again and changes nothing here).
CREATE TABLE recommendation_history (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  job_posting_id UUID NOT NULL REFERENCES job_postings(id) ON DELETE CASCADE,
  first_recommended_at TIMESTAMP NOT NULL,
  model_version INTEGER NOT NULL REFERENCES model_registry(version),  -- the first to recommend it
  best_rank INTEGER NOT NULL,
  PRIMARY KEY (user_id, job_posting_id)
);
CREATE INDEX idx_recommendation_history_first ON recommendation_history(first_recommended_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON recommendation_history TO jobswipe_pipeline;
