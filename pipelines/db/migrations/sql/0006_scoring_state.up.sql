-- When this version last wrote its scores onto every swipe. NULL means a full rescore is due
-- (a new or restored champion); otherwise rescoring writes only swipes that have no score yet,
-- so historical scores stay as their model gave them instead of drifting with every ingest.
ALTER TABLE model_registry ADD COLUMN swipes_scored_at TIMESTAMP;
