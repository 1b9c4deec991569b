-- Makes way for a new attempt at the same bytes: any earlier row (a load, forced again), or
-- only an earlier failure.
DELETE FROM ingest_files
 WHERE file_hash = %(file_hash)s AND (%(any_status)s OR status = 'FAILED')
