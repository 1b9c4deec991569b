ALTER DEFAULT PRIVILEGES IN SCHEMA staging REVOKE SELECT ON TABLES FROM jobswipe_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA marts REVOKE SELECT ON TABLES FROM jobswipe_analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA staging, marts FROM jobswipe_analyst;
REVOKE ALL ON SCHEMA staging, marts FROM jobswipe_analyst, jobswipe_pipeline;
DO $$
DECLARE
  t text;
BEGIN
  EXECUTE format('REVOKE CREATE, TEMPORARY ON DATABASE %I FROM jobswipe_pipeline', current_database());
  FOREACH t IN ARRAY ARRAY['users', 'user_profiles', 'user_preferences', 'job_applications',
                           'user_job_swipes', 'resumes', 'user_notifications', 'recommendations'] LOOP
    EXECUTE format('DROP POLICY %I ON %I', t || '_pipeline_policy', t);
  END LOOP;
END;
$$;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM jobswipe_pipeline;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM jobswipe_pipeline;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM jobswipe_pipeline;
REVOKE ALL ON SCHEMA public FROM jobswipe_pipeline;

CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('app.user_id', true), '')::uuid
$$;
