-- Sightings not recorded before (resolve_postings found no row for their source and key); near-
-- duplicates from other sources point at the same posting. A plain INSERT, as for postings: the
-- postings writer lock keeps every other writer out, so none can conflict.
INSERT INTO job_posting_sources (
  source, external_key, job_posting_id, external_id, source_url, is_primary, first_seen_at,
  last_seen_at, ingest_file_id, employer_name, employer_slug, claimed_domain)
SELECT source, external_key, posting_id, external_id, source_url, is_primary, %(seen_at)s,
       %(seen_at)s, %(ingest_file_id)s, company_name, company_slug, claimed_domain
  FROM ingest_stage
 WHERE is_new_sighting
