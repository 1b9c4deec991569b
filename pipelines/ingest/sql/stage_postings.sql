-- The batch being loaded, normalised, in two temp tables joined by record: the keys that the
-- resolve statements read and fill in place (company and posting ids), and the content that only
-- the final insert or update reads. Updating a narrow row rewrites a few dozen bytes; updating a
-- staged row with its description rewrote the description each time (docs/benchmarks.md).
CREATE TEMP TABLE ingest_stage (
  record INTEGER NOT NULL,
  source job_source NOT NULL,
  external_id VARCHAR(255),
  external_key VARCHAR(300) NOT NULL,
  content_hash VARCHAR(40) NOT NULL,
  company_name VARCHAR(255) NOT NULL,
  company_slug VARCHAR(255) NOT NULL,
  company_domain VARCHAR(255),
  claimed_domain VARCHAR(255),
  source_url TEXT,
  company_id UUID,
  posting_id UUID,
  is_primary BOOLEAN,
  is_new_sighting BOOLEAN,
  is_new_posting BOOLEAN
) ON COMMIT DROP;

CREATE TEMP TABLE ingest_content (
  record INTEGER NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  description_html TEXT,
  type job_type,
  level job_level,
  category job_category,
  remote BOOLEAN,
  remote_type remote_type,
  location VARCHAR(255),
  city VARCHAR(100),
  state VARCHAR(100),
  country VARCHAR(2),
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  salary_min INTEGER,
  salary_max INTEGER,
  currency VARCHAR(3),
  salary_type salary_type,
  salary_min_yearly INTEGER,
  salary_max_yearly INTEGER,
  apply_url TEXT,
  posted_at TIMESTAMP,
  expires_at TIMESTAMP
) ON COMMIT DROP
