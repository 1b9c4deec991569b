-- The match-score model: a registry of trained versions and the ranked recommendations the
-- app's feed reads.
CREATE TYPE model_status AS ENUM ('CANDIDATE', 'CHAMPION', 'RETIRED', 'REJECTED');

CREATE TABLE model_registry (
  version SERIAL PRIMARY KEY,
  trained_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  train_start DATE NOT NULL,
  train_end DATE NOT NULL,            -- exclusive
  validation_month DATE NOT NULL,
  training_rows INTEGER NOT NULL,
  validation_rows INTEGER NOT NULL,
  features JSONB NOT NULL,
  metrics JSONB NOT NULL,
  status model_status NOT NULL DEFAULT 'CANDIDATE',
  promoted_at TIMESTAMP,
  decision TEXT,                      -- why the gate promoted or rejected it
  artifact BYTEA NOT NULL,            -- skops
  artifact_sha256 VARCHAR(64) NOT NULL
);
-- At most one model serves the app at a time.
CREATE UNIQUE INDEX idx_model_registry_one_champion ON model_registry (status) WHERE status = 'CHAMPION';

CREATE TABLE recommendations (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  job_posting_id UUID NOT NULL REFERENCES job_postings(id) ON DELETE CASCADE,
  score REAL NOT NULL,                -- 0-100, the match score
  rank INTEGER NOT NULL,              -- 1 = best
  model_version INTEGER NOT NULL REFERENCES model_registry(version),
  generated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  PRIMARY KEY (user_id, job_posting_id),
  UNIQUE (user_id, rank)
);

-- The feed reads its own rows through row-level security, like the app's other tables.
ALTER TABLE recommendations ENABLE ROW LEVEL SECURITY;
CREATE POLICY recommendations_owner_policy ON recommendations FOR SELECT TO application_user
  USING (user_id = app_current_user_id());
GRANT SELECT ON recommendations TO application_user;
