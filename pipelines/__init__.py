"""JobSwipe data platform: the core library (ingest, db, simulate) and its Dagster wiring."""
