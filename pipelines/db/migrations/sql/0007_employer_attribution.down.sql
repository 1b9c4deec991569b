DROP INDEX idx_posting_sources_claimed_domain;
ALTER TABLE job_posting_sources
  DROP COLUMN employer_name,
  DROP COLUMN employer_slug,
  DROP COLUMN claimed_domain;
DROP TABLE board_domains;
