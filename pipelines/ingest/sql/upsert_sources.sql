-- Every sighting is recorded; near-duplicates from other sources point at the same posting.
INSERT INTO job_posting_sources AS ps (
  source, external_key, job_posting_id, external_id, source_url, is_primary, first_seen_at,
  last_seen_at, ingest_file_id)
SELECT source, external_key, posting_id, external_id, source_url, is_primary, %(seen_at)s,
       %(seen_at)s, %(ingest_file_id)s
  FROM ingest_stage
ON CONFLICT (source, external_key) DO UPDATE SET
  last_seen_at = GREATEST(ps.last_seen_at, EXCLUDED.last_seen_at),
  source_url = EXCLUDED.source_url
WHERE ps.last_seen_at < EXCLUDED.last_seen_at OR ps.source_url IS DISTINCT FROM EXCLUDED.source_url
