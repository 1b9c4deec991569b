-- Job-posting ingestion: file ledger, quarantine, source sightings, and the normalised fields
-- that feeds carry beyond the seed's columns.

-- One company is one row across feeds: matched by normalised name (slug) and web domain.
ALTER TABLE companies ADD COLUMN domain VARCHAR(255);
CREATE UNIQUE INDEX idx_companies_domain ON companies (domain) WHERE domain IS NOT NULL;

ALTER TABLE job_postings
  ADD COLUMN description_html TEXT,
  ADD COLUMN salary_min_yearly INTEGER,
  ADD COLUMN salary_max_yearly INTEGER,
  ADD COLUMN content_hash VARCHAR(40),
  ADD COLUMN first_seen_at TIMESTAMP,
  ADD COLUMN last_seen_at TIMESTAMP;
-- Near-duplicates (same normalised title, company and place) resolve to one posting.
CREATE UNIQUE INDEX idx_jobs_content_hash ON job_postings (content_hash) WHERE content_hash IS NOT NULL;
CREATE INDEX idx_jobs_posted_at ON job_postings (posted_at);

CREATE TYPE ingest_file_status AS ENUM ('LOADED', 'FAILED');

-- Every file ever offered to ingestion, by content hash: the same bytes are never loaded twice.
CREATE TABLE ingest_files (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  file_name TEXT NOT NULL,
  file_hash VARCHAR(64) NOT NULL UNIQUE,
  format VARCHAR(32),
  size_bytes BIGINT NOT NULL,
  status ingest_file_status NOT NULL,
  rows_read INTEGER NOT NULL DEFAULT 0,
  rows_loaded INTEGER NOT NULL DEFAULT 0,
  rows_rejected INTEGER NOT NULL DEFAULT 0,
  postings_inserted INTEGER NOT NULL DEFAULT 0,
  postings_updated INTEGER NOT NULL DEFAULT 0,
  postings_linked INTEGER NOT NULL DEFAULT 0,
  companies_inserted INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  started_at TIMESTAMP NOT NULL,
  finished_at TIMESTAMP NOT NULL,
  duration_seconds REAL NOT NULL
);

-- Quarantine: rows that could not be parsed or failed validation, with the reason.
CREATE TABLE ingest_rejects (
  id BIGSERIAL PRIMARY KEY,
  ingest_file_id UUID NOT NULL REFERENCES ingest_files(id) ON DELETE CASCADE,
  file_name TEXT NOT NULL,
  row_number INTEGER NOT NULL,
  field VARCHAR(64),
  reason TEXT NOT NULL,
  raw_record JSONB,
  rejected_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);
CREATE INDEX idx_ingest_rejects_file ON ingest_rejects (ingest_file_id);

-- Every (source, external key) sighting of a posting. Several sightings can point to one
-- posting: that is how near-duplicates across sources are linked rather than inserted twice.
CREATE TABLE job_posting_sources (
  source job_source NOT NULL,
  external_key VARCHAR(300) NOT NULL,
  job_posting_id UUID NOT NULL REFERENCES job_postings(id) ON DELETE CASCADE,
  external_id VARCHAR(255),
  source_url TEXT,
  is_primary BOOLEAN NOT NULL,
  first_seen_at TIMESTAMP NOT NULL,
  last_seen_at TIMESTAMP NOT NULL,
  ingest_file_id UUID REFERENCES ingest_files(id) ON DELETE SET NULL,
  PRIMARY KEY (source, external_key)
);
CREATE INDEX idx_posting_sources_posting ON job_posting_sources (job_posting_id);
