ALTER TABLE model_registry DROP COLUMN swipes_scored_at;
