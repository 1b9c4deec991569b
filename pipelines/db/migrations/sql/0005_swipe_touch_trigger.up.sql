-- Bulk writers of swipes (score write-back) set updated_at themselves; the touch trigger then
-- has nothing to do. A WHEN clause is evaluated without calling the PL/pgSQL function, which
-- saves a function call per row on million-row updates. Writers that do not set updated_at
-- (the app) still get it bumped.
DROP TRIGGER user_job_swipes_touch ON user_job_swipes;
CREATE TRIGGER user_job_swipes_touch BEFORE UPDATE ON user_job_swipes
  FOR EACH ROW WHEN (NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at)
  EXECUTE FUNCTION touch_row('unversioned');
