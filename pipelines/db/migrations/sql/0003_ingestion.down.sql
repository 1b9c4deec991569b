DROP TABLE IF EXISTS job_posting_sources;
DROP TABLE IF EXISTS ingest_rejects;
DROP TABLE IF EXISTS ingest_files;
DROP TYPE IF EXISTS ingest_file_status;
DROP INDEX IF EXISTS idx_jobs_posted_at;
DROP INDEX IF EXISTS idx_jobs_content_hash;
ALTER TABLE job_postings
  DROP COLUMN IF EXISTS description_html,
  DROP COLUMN IF EXISTS salary_min_yearly,
  DROP COLUMN IF EXISTS salary_max_yearly,
  DROP COLUMN IF EXISTS content_hash,
  DROP COLUMN IF EXISTS first_seen_at,
  DROP COLUMN IF EXISTS last_seen_at;
DROP INDEX IF EXISTS idx_companies_domain;
ALTER TABLE companies DROP COLUMN IF EXISTS domain;
