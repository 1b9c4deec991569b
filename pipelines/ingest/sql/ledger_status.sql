-- The ledger state of a file, by content hash: LOADED files are skipped unless forced.
SELECT status FROM ingest_files WHERE file_hash = %(file_hash)s
