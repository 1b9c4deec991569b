-- The counts of a load that is about to commit.
UPDATE ingest_files
   SET rows_read = %(rows_read)s, rows_loaded = %(rows_loaded)s,
       rows_rejected = %(rows_rejected)s, postings_inserted = %(postings_inserted)s,
       postings_updated = %(postings_updated)s, postings_linked = %(postings_linked)s,
       companies_inserted = %(companies_inserted)s,
       finished_at = (now() AT TIME ZONE 'UTC'), duration_seconds = %(duration_seconds)s
 WHERE id = %(id)s
