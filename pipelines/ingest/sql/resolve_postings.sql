-- Which posting each staged row is: a sighting we know, a near-duplicate of a stored posting
-- (same normalised title, company and place), or a new posting (one per content hash), set in
-- one pass over the batch. Each stored row is found by its unique index, one probe per staged
-- row (LIMIT 1 keeps the planner from turning a probe into a join): a hash join would read the
-- whole sightings and postings tables for every batch, a cost that grows with the history
-- rather than with the file. A new posting's id is time-ordered (migration 0012), so a load's
-- ids land together at the end of the indexes on them (docs/benchmarks.md).
WITH found AS MATERIALIZED (
  SELECT s.record, s.content_hash, known.job_posting_id AS known_id,
         known.is_primary AS known_primary, twin.id AS twin_id
    FROM ingest_stage s
    LEFT JOIN LATERAL (
      SELECT ps.job_posting_id, ps.is_primary
        FROM job_posting_sources ps
       WHERE ps.source = s.source AND ps.external_key = s.external_key
       LIMIT 1) known ON true
    LEFT JOIN LATERAL (
      SELECT p.id
        FROM job_postings p
       WHERE known.job_posting_id IS NULL AND p.content_hash = s.content_hash
       LIMIT 1) twin ON true
),
fresh AS MATERIALIZED (
  SELECT content_hash, min(record) AS first_record, uuid_time_ordered() AS posting_id
    FROM found
   WHERE known_id IS NULL AND twin_id IS NULL
   GROUP BY content_hash
)
UPDATE ingest_stage s
   SET posting_id = coalesce(f.known_id, f.twin_id, fresh.posting_id),
       is_primary = CASE WHEN f.known_id IS NOT NULL THEN f.known_primary
                         WHEN f.twin_id IS NOT NULL THEN false
                         ELSE s.record = fresh.first_record END,
       is_new_sighting = f.known_id IS NULL,
       is_new_posting = f.known_id IS NULL AND f.twin_id IS NULL
  FROM found f
  LEFT JOIN fresh ON f.known_id IS NULL AND f.twin_id IS NULL AND fresh.content_hash = f.content_hash
 WHERE f.record = s.record
