-- The file's ledger row, written in the load's own transaction: it exists only if the load
-- commits.
INSERT INTO ingest_files (file_name, file_hash, format, size_bytes, status, started_at,
                          finished_at, duration_seconds)
VALUES (%(file_name)s, %(file_hash)s, %(format)s, %(size_bytes)s, 'LOADED', %(started_at)s,
        %(started_at)s, 0)
RETURNING id
