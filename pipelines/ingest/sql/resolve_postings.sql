-- Which posting each staged row is: a sighting we know, a near-duplicate of a stored posting
-- (same normalised title, company and place), or a new posting (one per content hash).
UPDATE ingest_stage s
   SET posting_id = ps.job_posting_id, is_primary = ps.is_primary, is_new_sighting = false,
       is_new_posting = false
  FROM job_posting_sources ps
 WHERE ps.source = s.source AND ps.external_key = s.external_key;

UPDATE ingest_stage s
   SET posting_id = p.id, is_primary = false, is_new_sighting = true, is_new_posting = false
  FROM job_postings p
 WHERE s.posting_id IS NULL AND p.content_hash = s.content_hash;

UPDATE ingest_stage s
   SET posting_id = fresh.posting_id, is_primary = (s.record = fresh.first_record), is_new_sighting = true,
       is_new_posting = true
  FROM (SELECT content_hash, min(record) AS first_record, gen_random_uuid() AS posting_id
          FROM ingest_stage
         WHERE posting_id IS NULL
         GROUP BY content_hash) fresh
 WHERE s.posting_id IS NULL AND s.content_hash = fresh.content_hash
