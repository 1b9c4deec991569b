DROP INDEX IF EXISTS idx_swipes_unscored;
