-- A file that could not load, recorded in its own transaction after the load rolled back
-- (after ledger_forget of its earlier failure). A LOADED row is never overwritten.
INSERT INTO ingest_files (file_name, file_hash, format, size_bytes, status, error, started_at,
                          finished_at, duration_seconds)
VALUES (%(file_name)s, %(file_hash)s, %(format)s, %(size_bytes)s, 'FAILED', %(error)s,
        %(started_at)s, (now() AT TIME ZONE 'UTC'), %(duration_seconds)s)
ON CONFLICT (file_hash) DO NOTHING
