-- Three roles besides the owner that migrates: the app's (application_user, migration 0001), the
-- pipeline's and the analysts'. Roles are cluster-wide: created when missing, never dropped;
-- what they may do is granted per database and revoked by the downgrade. Log-in users are made
-- members (CREATE ROLE alice LOGIN IN ROLE jobswipe_analyst); none of these roles logs in itself.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobswipe_pipeline') THEN
    CREATE ROLE jobswipe_pipeline NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobswipe_analyst') THEN
    CREATE ROLE jobswipe_analyst NOLOGIN NOBYPASSRLS;
  END IF;
END;
$$;

-- A malformed app.user_id (not a UUID) means no user, like an unset one: no rows, no error.
CREATE OR REPLACE FUNCTION app_current_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN current_setting('app.user_id', true)
         ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
    THEN current_setting('app.user_id', true)::uuid
  END
$$;

-- The pipeline: reads and writes every table's rows (every user's, through a policy of its own
-- on the tables with row-level security), runs the platform's functions, builds the dbt schemas;
-- it owns nothing in public, so it cannot alter or drop the transactional schema.
GRANT USAGE ON SCHEMA public TO jobswipe_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO jobswipe_pipeline;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO jobswipe_pipeline;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO jobswipe_pipeline;
DO $$
DECLARE
  t text;
BEGIN
  EXECUTE format('GRANT CREATE, TEMPORARY ON DATABASE %I TO jobswipe_pipeline', current_database());
  FOREACH t IN ARRAY ARRAY['users', 'user_profiles', 'user_preferences', 'job_applications',
                           'user_job_swipes', 'resumes', 'user_notifications', 'recommendations'] LOOP
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO jobswipe_pipeline USING (true) WITH CHECK (true)',
                   t || '_pipeline_policy', t);
  END LOOP;
END;
$$;

-- Analysts: the marts and the staging views (which carry no PII), nothing in public: no PII
-- columns, ciphertext, key material, quarantined raw records or model artifacts.
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS marts;
GRANT USAGE ON SCHEMA staging, marts TO jobswipe_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA staging, marts TO jobswipe_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA staging GRANT SELECT ON TABLES TO jobswipe_analyst;
ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO jobswipe_analyst;
GRANT USAGE, CREATE ON SCHEMA staging, marts TO jobswipe_pipeline;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM jobswipe_analyst;
