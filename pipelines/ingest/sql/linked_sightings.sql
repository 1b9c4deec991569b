-- Staged rows that were linked to an existing posting as a new source, not inserted.
SELECT count(*) FROM ingest_stage WHERE is_new_sighting AND NOT is_primary
