-- The most recent quarantined rows (jobswipe rejects).
SELECT file_name, row_number, field, reason, raw_record::text
  FROM ingest_rejects
 ORDER BY rejected_at DESC, id
 LIMIT %(limit)s
