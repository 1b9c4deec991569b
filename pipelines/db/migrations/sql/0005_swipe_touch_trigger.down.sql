DROP TRIGGER user_job_swipes_touch ON user_job_swipes;
CREATE TRIGGER user_job_swipes_touch BEFORE UPDATE ON user_job_swipes
  FOR EACH ROW EXECUTE FUNCTION touch_row('unversioned');
