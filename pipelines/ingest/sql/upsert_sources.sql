-- Every sighting is recorded; near-duplicates from other sources point at the same posting.
INSERT INTO job_posting_sources AS ps (
  source, external_key, job_posting_id, external_id, source_url, is_primary, first_seen_at,
  last_seen_at, ingest_file_id, employer_name, employer_slug, claimed_domain)
SELECT source, external_key, posting_id, external_id, source_url, is_primary, %(seen_at)s,
       %(seen_at)s, %(ingest_file_id)s, company_name, company_slug, claimed_domain
  FROM ingest_stage
ON CONFLICT (source, external_key) DO UPDATE SET
  last_seen_at = GREATEST(ps.last_seen_at, EXCLUDED.last_seen_at),
  source_url = EXCLUDED.source_url,
  employer_name = EXCLUDED.employer_name,
  employer_slug = EXCLUDED.employer_slug,
  claimed_domain = EXCLUDED.claimed_domain
WHERE ps.last_seen_at < EXCLUDED.last_seen_at OR ps.source_url IS DISTINCT FROM EXCLUDED.source_url
   OR (ps.employer_slug, ps.claimed_domain) IS DISTINCT FROM (EXCLUDED.employer_slug, EXCLUDED.claimed_domain)
