-- The swipes any of whose score columns is still empty: what incremental rescoring scores, and
-- what a refresh after an ingest asks about first (pipelines/scoring/sql/swipes_unscored.sql).
-- Without it the question is a scan of every swipe; with it, a look at a few rows, since the
-- write-back fills the columns of each swipe it scores. The app inserts swipes with a match
-- score and no factors, so idx_swipes_match_score cannot answer it.
CREATE INDEX idx_swipes_unscored ON user_job_swipes (user_id)
 WHERE match_score IS NULL OR confidence IS NULL OR match_factors IS NULL OR is_correct_match IS NULL;
