-- Domains found by data to name many employers (boards and aggregators missing from the
-- maintained list in pipelines/ingest/boards.py). Such a domain never identifies a company.
CREATE TABLE board_domains (
  domain VARCHAR(255) PRIMARY KEY,
  employers INTEGER NOT NULL,
  reason TEXT NOT NULL,
  learned_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

-- What each sighting said about its employer, so attribution can be checked and repaired.
ALTER TABLE job_posting_sources
  ADD COLUMN employer_name VARCHAR(255),
  ADD COLUMN employer_slug VARCHAR(255),
  ADD COLUMN claimed_domain VARCHAR(255);
CREATE INDEX idx_posting_sources_claimed_domain ON job_posting_sources (claimed_domain)
  WHERE claimed_domain IS NOT NULL;
