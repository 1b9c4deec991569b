-- JobSwipe transactional schema, as specified by shared/seed/jobswipe-database-architecture.md.
-- Every departure from the seed is listed with its reason in docs/seed-deviations.md.
-- All timestamps are TIMESTAMP WITHOUT TIME ZONE holding UTC, as in the seed.

-- pgcrypto and uuid-ossp are not shipped by the embedded server; gen_random_uuid() is built in
-- since PostgreSQL 13 and PII is encrypted in the application (pipelines/db/crypto.py).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- ---------------------------------------------------------------- enums
CREATE TYPE user_role AS ENUM ('USER', 'PREMIUM_USER', 'ADMIN', 'SUPER_ADMIN');
CREATE TYPE user_status AS ENUM ('ACTIVE', 'INACTIVE', 'SUSPENDED', 'BANNED');
CREATE TYPE profile_visibility AS ENUM ('PUBLIC', 'RECRUITERS_ONLY', 'PRIVATE');
CREATE TYPE remote_preference AS ENUM ('REMOTE_ONLY', 'HYBRID', 'ONSITE', 'NO_PREFERENCE');
CREATE TYPE swipe_direction AS ENUM ('LEFT', 'RIGHT', 'SUPER_LIKE');
CREATE TYPE company_size AS ENUM ('STARTUP', 'SMALL', 'MEDIUM', 'LARGE', 'ENTERPRISE');
CREATE TYPE company_status AS ENUM ('ACTIVE', 'INACTIVE', 'PENDING_VERIFICATION', 'SUSPENDED');
CREATE TYPE job_type AS ENUM ('FULL_TIME', 'PART_TIME', 'CONTRACT', 'TEMPORARY', 'INTERNSHIP', 'FREELANCE');
CREATE TYPE job_level AS ENUM ('ENTRY', 'JUNIOR', 'MID', 'SENIOR', 'LEAD', 'PRINCIPAL', 'EXECUTIVE');
CREATE TYPE job_category AS ENUM (
  'ENGINEERING', 'DATA', 'DESIGN', 'PRODUCT', 'MARKETING', 'SALES', 'CUSTOMER_SUPPORT',
  'OPERATIONS', 'FINANCE', 'HR', 'LEGAL', 'HEALTHCARE', 'EDUCATION', 'OTHER');
CREATE TYPE remote_type AS ENUM ('ONSITE', 'REMOTE', 'HYBRID');
CREATE TYPE salary_type AS ENUM ('HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY');
CREATE TYPE job_source AS ENUM (
  'MANUAL', 'LINKEDIN', 'INDEED', 'GLASSDOOR', 'ZIPRECRUITER', 'GOOGLE', 'GREENHOUSE', 'LEVER',
  'COMPANY_WEBSITE', 'IMPORT', 'OTHER');
CREATE TYPE job_status AS ENUM ('DRAFT', 'ACTIVE', 'PAUSED', 'CLOSED', 'EXPIRED', 'FILLED');
CREATE TYPE template_category AS ENUM (
  'GENERAL', 'TECHNOLOGY', 'CREATIVE', 'BUSINESS', 'EXECUTIVE', 'ACADEMIC', 'ENTRY_LEVEL', 'HEALTHCARE');
CREATE TYPE resume_visibility AS ENUM ('PRIVATE', 'PUBLIC', 'LINK_ONLY');
CREATE TYPE enhancement_type AS ENUM (
  'KEYWORD_OPTIMIZATION', 'CONTENT_IMPROVEMENT', 'FORMATTING', 'SKILLS_HIGHLIGHT',
  'SUMMARY_REWRITE', 'ACHIEVEMENT_QUANTIFICATION', 'JOB_TAILORING');
CREATE TYPE queue_status AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED', 'RETRYING', 'CANCELLED');
CREATE TYPE queue_priority AS ENUM ('LOW', 'NORMAL', 'HIGH', 'URGENT');
CREATE TYPE log_level AS ENUM ('DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL');
CREATE TYPE application_status AS ENUM (
  'DRAFT', 'QUEUED', 'APPLIED', 'VIEWED', 'SCREENING', 'INTERVIEW', 'OFFER', 'ACCEPTED',
  'REJECTED', 'WITHDRAWN');
CREATE TYPE application_priority AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'URGENT');
CREATE TYPE application_source AS ENUM ('MANUAL', 'AUTOMATION', 'SWIPE', 'REFERRAL', 'EXTERNAL');
CREATE TYPE automation_status AS ENUM ('PENDING', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'NEEDS_REVIEW');
CREATE TYPE interaction_type AS ENUM (
  'EMAIL', 'PHONE_SCREEN', 'VIDEO_CALL', 'TECHNICAL_INTERVIEW', 'ONSITE_INTERVIEW', 'ASSESSMENT',
  'OFFER', 'REJECTION', 'FOLLOW_UP', 'NOTE');
CREATE TYPE interaction_outcome AS ENUM ('POSITIVE', 'NEUTRAL', 'NEGATIVE', 'PENDING', 'NO_SHOW', 'RESCHEDULED');
CREATE TYPE subscription_plan AS ENUM ('FREE', 'BASIC', 'PRO', 'ENTERPRISE');
CREATE TYPE subscription_status AS ENUM ('ACTIVE', 'TRIALING', 'PAST_DUE', 'CANCELED', 'UNPAID', 'EXPIRED');
CREATE TYPE usage_feature AS ENUM (
  'SWIPE', 'SUPER_LIKE', 'APPLICATION', 'AUTO_APPLICATION', 'RESUME_ENHANCEMENT', 'RESUME_TEMPLATE',
  'RESUME_DOWNLOAD');
CREATE TYPE actor_type AS ENUM ('USER', 'ADMIN', 'SYSTEM', 'API', 'AUTOMATION');
CREATE TYPE risk_level AS ENUM ('LOW', 'MEDIUM', 'HIGH', 'CRITICAL');
CREATE TYPE notification_type AS ENUM (
  'JOB_MATCH', 'APPLICATION_UPDATE', 'INTERVIEW_REMINDER', 'SUBSCRIPTION', 'SYSTEM', 'SECURITY',
  'MARKETING');
CREATE TYPE notification_channel AS ENUM ('IN_APP', 'EMAIL', 'PUSH', 'SMS');
CREATE TYPE notification_priority AS ENUM ('LOW', 'NORMAL', 'HIGH', 'URGENT');
CREATE TYPE notification_status AS ENUM ('UNREAD', 'READ', 'ARCHIVED', 'DISMISSED');
CREATE TYPE setting_type AS ENUM ('STRING', 'INTEGER', 'FLOAT', 'BOOLEAN', 'JSON');

-- ------------------------------------------------- shared trigger functions
-- Keeps updated_at current and bumps lock_version (optimistic locking) on every real update.
CREATE FUNCTION touch_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := (now() AT TIME ZONE 'UTC');
  IF TG_ARGV[0] = 'versioned' THEN
    NEW.lock_version := OLD.lock_version + 1;
  END IF;
  RETURN NEW;
END;
$$;

-- ---------------------------------------------------------------- tables
CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  email VARCHAR(255) UNIQUE NOT NULL,
  password_hash VARCHAR(255),
  role user_role DEFAULT 'USER',
  status user_status DEFAULT 'ACTIVE',
  last_login_at TIMESTAMP,
  login_attempts INTEGER DEFAULT 0,
  locked_until TIMESTAMP,
  data_consent BOOLEAN DEFAULT false,
  consent_date TIMESTAMP,
  data_retention_until TIMESTAMP,
  is_deleted BOOLEAN DEFAULT false,
  deleted_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_profiles (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  -- Personal information, encrypted by the application (AES-GCM envelope with key id).
  first_name BYTEA,
  last_name BYTEA,
  phone BYTEA,
  date_of_birth BYTEA,
  current_title VARCHAR(200),
  years_of_experience INTEGER,
  skills TEXT[],
  profile_visibility profile_visibility DEFAULT 'PRIVATE',
  show_email BOOLEAN DEFAULT false,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_preferences (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  job_search_radius INTEGER DEFAULT 50,
  job_types TEXT[],
  remote_pref remote_preference DEFAULT 'NO_PREFERENCE',
  auto_apply_enabled BOOLEAN DEFAULT false,
  auto_apply_max_per_day INTEGER DEFAULT 5,
  data_processing_consent BOOLEAN DEFAULT false,
  marketing_consent BOOLEAN DEFAULT false,
  analytics_consent BOOLEAN DEFAULT false,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE companies (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  slug VARCHAR(255) UNIQUE NOT NULL,
  description TEXT,
  size company_size,
  industry VARCHAR(100),
  founded_year INTEGER,
  employee_count INTEGER,
  is_verified BOOLEAN DEFAULT false,
  verified_at TIMESTAMP,
  quality_score REAL,
  status company_status DEFAULT 'ACTIVE',
  is_blacklisted BOOLEAN DEFAULT false,
  blacklist_reason TEXT,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE job_postings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  company_id UUID REFERENCES companies(id) ON DELETE CASCADE,
  title VARCHAR(255) NOT NULL,
  description TEXT NOT NULL,
  type job_type DEFAULT 'FULL_TIME',
  level job_level DEFAULT 'MID',
  category job_category DEFAULT 'OTHER',
  remote BOOLEAN DEFAULT false,
  remote_type remote_type DEFAULT 'ONSITE',
  location VARCHAR(255),
  -- Structured location the seed's idx_jobs_location_salary and "coordinates" refer to.
  city VARCHAR(100),
  state VARCHAR(100),
  country VARCHAR(2),
  latitude DOUBLE PRECISION,
  longitude DOUBLE PRECISION,
  salary_min INTEGER,
  salary_max INTEGER,
  currency VARCHAR(3) DEFAULT 'USD',
  salary_type salary_type,
  external_id VARCHAR(255),
  source job_source DEFAULT 'MANUAL',
  source_url TEXT,
  apply_url TEXT,
  quality_score REAL,
  is_verified BOOLEAN DEFAULT false,
  view_count INTEGER DEFAULT 0,
  application_count INTEGER DEFAULT 0,
  right_swipe_count INTEGER DEFAULT 0,
  left_swipe_count INTEGER DEFAULT 0,
  status job_status DEFAULT 'ACTIVE',
  is_active BOOLEAN NOT NULL DEFAULT true,
  posted_at TIMESTAMP,
  expires_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE user_job_swipes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  job_posting_id UUID REFERENCES job_postings(id) ON DELETE CASCADE,
  direction swipe_direction NOT NULL,
  confidence REAL,
  device_type VARCHAR(50),
  session_id VARCHAR(255),
  position INTEGER,
  time_spent INTEGER,
  match_score REAL,
  match_factors JSONB,
  user_feedback TEXT,
  is_correct_match BOOLEAN,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  UNIQUE (user_id, job_posting_id)
);

CREATE TABLE resume_templates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  category template_category DEFAULT 'GENERAL',
  content JSONB NOT NULL,
  sections JSONB,
  styling JSONB,
  industry VARCHAR(100),
  experience VARCHAR(50),
  job_types TEXT[],
  quality_score REAL,
  downloads INTEGER DEFAULT 0,
  ratings REAL,
  usage_count INTEGER DEFAULT 0,
  success_rate REAL,
  is_active BOOLEAN DEFAULT true,
  is_premium BOOLEAN DEFAULT false,
  is_public BOOLEAN DEFAULT true,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE resumes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  template_id UUID REFERENCES resume_templates(id),
  name VARCHAR(255) NOT NULL,
  title VARCHAR(255),
  content JSONB NOT NULL,
  sections JSONB,
  pdf_url TEXT,
  docx_url TEXT,
  html_url TEXT,
  last_generated TIMESTAMP,
  version INTEGER DEFAULT 1,
  parent_resume_id UUID,
  is_default BOOLEAN DEFAULT false,
  ai_enhanced BOOLEAN DEFAULT false,
  enhancement_data JSONB,
  completeness REAL,
  readability_score REAL,
  keyword_match REAL,
  visibility resume_visibility DEFAULT 'PRIVATE',
  share_token VARCHAR(255),
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE resume_enhancements (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  resume_id UUID REFERENCES resumes(id) ON DELETE CASCADE,
  job_posting_id UUID REFERENCES job_postings(id),
  type enhancement_type NOT NULL,
  description TEXT NOT NULL,
  original_content JSONB NOT NULL,
  enhanced_content JSONB NOT NULL,
  changes JSONB,
  ai_model VARCHAR(100),
  prompt TEXT,
  confidence REAL,
  is_applied BOOLEAN DEFAULT false,
  improved_match REAL,
  success_rate REAL,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE job_applications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  job_posting_id UUID REFERENCES job_postings(id) ON DELETE CASCADE,
  resume_id UUID REFERENCES resumes(id),
  status application_status DEFAULT 'DRAFT',
  priority application_priority DEFAULT 'MEDIUM',
  source application_source DEFAULT 'MANUAL',
  cover_letter TEXT,
  custom_fields JSONB,
  notes TEXT,
  applied_at TIMESTAMP,
  viewed_at TIMESTAMP,
  response_at TIMESTAMP,
  interview_at TIMESTAMP,
  follow_up_at TIMESTAMP,
  external_id VARCHAR(255),
  ats_url TEXT,
  confirmation_number VARCHAR(255),
  automation_status automation_status,
  automation_attempts INTEGER DEFAULT 0,
  automation_data JSONB,
  recruiter_name VARCHAR(255),
  recruiter_email VARCHAR(255),
  recruiter_phone VARCHAR(50),
  response_time INTEGER,
  interview_count INTEGER DEFAULT 0,
  match_score REAL,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1,
  UNIQUE (user_id, job_posting_id)
);

CREATE TABLE application_queue (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  job_posting_id UUID REFERENCES job_postings(id) ON DELETE CASCADE,
  application_id UUID REFERENCES job_applications(id),
  status queue_status DEFAULT 'PENDING',
  priority queue_priority DEFAULT 'NORMAL',
  attempts INTEGER DEFAULT 0,
  max_attempts INTEGER DEFAULT 3,
  scheduled_at TIMESTAMP,
  started_at TIMESTAMP,
  completed_at TIMESTAMP,
  next_retry_at TIMESTAMP,
  use_custom_resume BOOLEAN DEFAULT false,
  resume_id UUID,
  cover_letter TEXT,
  custom_fields JSONB,
  automation_config JSONB,
  requires_captcha BOOLEAN DEFAULT false,
  captcha_solved BOOLEAN DEFAULT false,
  success BOOLEAN,
  error_message TEXT,
  error_type VARCHAR(100),
  response_data JSONB,
  desktop_session_id VARCHAR(255),
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE automation_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  queue_id UUID REFERENCES application_queue(id) ON DELETE CASCADE,
  level log_level DEFAULT 'INFO',
  message TEXT NOT NULL,
  details JSONB,
  step VARCHAR(100),
  element_selector TEXT,
  action VARCHAR(50),
  error_type VARCHAR(100),
  stack_trace TEXT,
  screenshot TEXT,
  execution_time INTEGER,
  memory_usage BIGINT,
  browser_info JSONB,
  page_url TEXT,
  created_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE application_interactions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  application_id UUID REFERENCES job_applications(id) ON DELETE CASCADE,
  type interaction_type NOT NULL,
  title VARCHAR(255) NOT NULL,
  description TEXT,
  outcome interaction_outcome,
  contact_person VARCHAR(255),
  contact_email VARCHAR(255),
  contact_phone VARCHAR(50),
  contact_role VARCHAR(100),
  scheduled_at TIMESTAMP,
  started_at TIMESTAMP,
  completed_at TIMESTAMP,
  duration INTEGER,
  agenda TEXT,
  notes TEXT,
  feedback TEXT,
  next_steps TEXT,
  attachments JSONB,
  requires_follow_up BOOLEAN DEFAULT false,
  follow_up_date TIMESTAMP,
  follow_up_completed BOOLEAN DEFAULT false,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

CREATE TABLE subscriptions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  plan subscription_plan DEFAULT 'FREE',
  status subscription_status DEFAULT 'ACTIVE',
  stripe_customer_id VARCHAR(255),
  stripe_subscription_id VARCHAR(255),
  stripe_price_id VARCHAR(255),
  current_period_start TIMESTAMP,
  current_period_end TIMESTAMP,
  cancel_at_period_end BOOLEAN DEFAULT false,
  trial_start TIMESTAMP,
  trial_end TIMESTAMP,
  trial_used BOOLEAN DEFAULT false,
  monthly_applications INTEGER,
  resume_templates INTEGER,
  priority_support BOOLEAN DEFAULT false,
  last_payment_at TIMESTAMP,
  last_payment_amount DECIMAL(10, 2),
  next_billing_date TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  lock_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE usage_records (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  subscription_id UUID REFERENCES subscriptions(id),
  feature usage_feature NOT NULL,
  count INTEGER DEFAULT 1,
  metadata JSONB,
  session_id VARCHAR(255),
  device_type VARCHAR(50),
  ip_address INET,
  date DATE DEFAULT CURRENT_DATE,
  hour INTEGER CHECK (hour BETWEEN 0 AND 23),
  created_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC'),
  UNIQUE (user_id, feature, date)
);

-- Partitioned by quarter on created_at; the partition key must be part of the primary key.
CREATE TABLE audit_logs (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  actor_type actor_type DEFAULT 'USER',
  actor_id VARCHAR(255),
  action VARCHAR(255) NOT NULL,
  resource VARCHAR(255) NOT NULL,
  resource_id VARCHAR(255),
  method VARCHAR(10),
  endpoint TEXT,
  status_code INTEGER,
  ip_address INET,
  user_agent TEXT,
  session_id VARCHAR(255),
  old_values JSONB,
  new_values JSONB,
  risk_level risk_level DEFAULT 'LOW',
  risk_factors TEXT[],
  data_category VARCHAR(100),
  legal_basis VARCHAR(100),
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);

CREATE TABLE user_notifications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE CASCADE,
  type notification_type NOT NULL,
  title VARCHAR(255) NOT NULL,
  message TEXT NOT NULL,
  action_url TEXT,
  channel notification_channel DEFAULT 'IN_APP',
  priority notification_priority DEFAULT 'NORMAL',
  status notification_status DEFAULT 'UNREAD',
  read_at TIMESTAMP,
  clicked_at TIMESTAMP,
  sent_at TIMESTAMP,
  delivered_at TIMESTAMP,
  failed_at TIMESTAMP,
  error_message TEXT,
  scheduled_for TIMESTAMP,
  expires_at TIMESTAMP,
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
);

-- Partitioned by month on "timestamp"; the partition key must be part of the primary key.
CREATE TABLE analytics_events (
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  user_id UUID REFERENCES users(id) ON DELETE SET NULL,
  event_type VARCHAR(100) NOT NULL,
  event_category VARCHAR(100) NOT NULL,
  event_name VARCHAR(100) NOT NULL,
  properties JSONB,
  traits JSONB,
  session_id VARCHAR(255),
  device_type VARCHAR(50),
  platform VARCHAR(50),
  ip_address INET,
  country VARCHAR(2),
  region VARCHAR(100),
  city VARCHAR(100),
  user_agent TEXT,
  referrer TEXT,
  page_url TEXT,
  revenue DECIMAL(10, 2),
  currency VARCHAR(3),
  "timestamp" TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  processing_time INTEGER,
  PRIMARY KEY (id, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE TABLE system_settings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  key VARCHAR(255) UNIQUE NOT NULL,
  value TEXT NOT NULL,
  type setting_type DEFAULT 'STRING',
  category VARCHAR(100) DEFAULT 'general',
  description TEXT,
  is_public BOOLEAN DEFAULT false,
  is_encrypted BOOLEAN DEFAULT false,
  validation_rule TEXT,
  default_value TEXT,
  updated_by VARCHAR(255),
  created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
  updated_at TIMESTAMP DEFAULT (now() AT TIME ZONE 'UTC')
);

-- ------------------------------------------------------- touch triggers
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'user_profiles', 'user_preferences', 'companies', 'job_postings',
                           'resumes', 'job_applications', 'subscriptions'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row(%L)',
                   t || '_touch', t, 'versioned');
  END LOOP;
  FOREACH t IN ARRAY ARRAY['user_job_swipes', 'resume_templates', 'resume_enhancements',
                           'application_queue', 'application_interactions', 'user_notifications',
                           'system_settings'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row(%L)',
                   t || '_touch', t, 'unversioned');
  END LOOP;
END;
$$;

-- ------------------------------------------------- strategic indexing (seed)
-- CONCURRENTLY is dropped: it cannot run inside a migration's transaction, and the tables are
-- empty when this migration runs.
CREATE INDEX idx_users_email ON users(email);
CREATE INDEX idx_users_status ON users(status);
CREATE INDEX idx_users_last_login ON users(last_login_at);
CREATE INDEX idx_jobs_location_salary ON job_postings(city, state, salary_min, salary_max);
CREATE INDEX idx_jobs_remote_type ON job_postings(remote, remote_type);
CREATE INDEX idx_jobs_status_active ON job_postings(status, is_active);
CREATE INDEX idx_applications_user_status ON job_applications(user_id, status);
CREATE INDEX idx_applications_timeline ON job_applications(applied_at, status);
CREATE INDEX idx_swipes_user_direction ON user_job_swipes(user_id, direction);
CREATE INDEX idx_swipes_match_score ON user_job_swipes(match_score);
CREATE INDEX idx_queue_status_priority ON application_queue(status, priority, scheduled_at);
CREATE INDEX idx_analytics_user_type ON analytics_events(user_id, event_type);
CREATE INDEX idx_analytics_timestamp ON analytics_events("timestamp");
-- coalesce(): in the seed a NULL description turns the whole document NULL.
CREATE INDEX idx_jobs_fulltext ON job_postings
  USING gin (to_tsvector('english', coalesce(title, '') || ' ' || coalesce(description, '')));
CREATE INDEX idx_companies_fulltext ON companies
  USING gin (to_tsvector('english', coalesce(name, '') || ' ' || coalesce(description, '')));

-- Foreign-key and time indexes the seed's own queries (views, retention, RLS, GDPR) need.
CREATE INDEX idx_jobs_company ON job_postings(company_id);
CREATE INDEX idx_swipes_posting ON user_job_swipes(job_posting_id);
CREATE INDEX idx_swipes_created_at ON user_job_swipes(created_at);
CREATE INDEX idx_applications_posting ON job_applications(job_posting_id);
CREATE INDEX idx_applications_created_at ON job_applications(created_at);
CREATE INDEX idx_resumes_user ON resumes(user_id);
CREATE INDEX idx_queue_application ON application_queue(application_id);
CREATE INDEX idx_automation_logs_queue ON automation_logs(queue_id);
CREATE INDEX idx_interactions_application ON application_interactions(application_id);
CREATE INDEX idx_notifications_user ON user_notifications(user_id);
CREATE INDEX idx_audit_logs_user ON audit_logs(user_id);
CREATE INDEX idx_users_deleted_at ON users(deleted_at) WHERE is_deleted;

-- --------------------------------------------------------------- partitions
-- Creates the range partitions of a partitioned table from start to end, with the seed's names
-- (analytics_events_y2024m01, audit_logs_2024q1). Rows already caught by the default partition
-- for a new range are moved into it, so creating partitions late never fails or loses rows.
CREATE FUNCTION ensure_time_partitions(parent regclass, step text, start_at date, end_at date)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
  parent_name text := parent::text;
  key_column text;
  default_name text := parent_name || '_default';
  lower_bound date;
  upper_bound date;
  partition_name text;
BEGIN
  IF step NOT IN ('month', 'quarter') THEN
    RAISE EXCEPTION 'ensure_time_partitions: step must be month or quarter, got %', step;
  END IF;
  SELECT a.attname INTO key_column
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent;
  IF key_column IS NULL THEN
    RAISE EXCEPTION 'ensure_time_partitions: % is not a partitioned table', parent_name;
  END IF;
  lower_bound := date_trunc(step, start_at)::date;
  WHILE lower_bound < end_at LOOP
    upper_bound := (lower_bound + CASE step WHEN 'month' THEN interval '1 month' ELSE interval '3 months' END)::date;
    partition_name := CASE step
      WHEN 'month' THEN format('%s_y%sm%s', parent_name, to_char(lower_bound, 'YYYY'), to_char(lower_bound, 'MM'))
      ELSE format('%s_%sq%s', parent_name, to_char(lower_bound, 'YYYY'), to_char(lower_bound, 'Q'))
    END;
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', partition_name, parent_name);
      IF to_regclass(default_name) IS NOT NULL THEN
        EXECUTE format('WITH moved AS (DELETE FROM %I WHERE %I >= %L AND %I < %L RETURNING *) INSERT INTO %I SELECT * FROM moved',
                       default_name, key_column, lower_bound, key_column, upper_bound, partition_name);
      END IF;
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                     parent_name, partition_name, lower_bound, upper_bound);
      RETURN NEXT partition_name;
    END IF;
    lower_bound := upper_bound;
  END LOOP;
END;
$$;

CREATE TABLE analytics_events_default PARTITION OF analytics_events DEFAULT;
CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT;

-- -------------------------------------------------------- row-level security
-- application_user is the role the app's connections SET ROLE to. The platform itself connects as
-- the tables' owner, which RLS does not apply to (no FORCE ROW LEVEL SECURITY): batch jobs see
-- every row by design. Roles are cluster-wide, so the migration creates the role only if missing
-- and never drops it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'application_user') THEN
    CREATE ROLE application_user NOLOGIN NOBYPASSRLS;
  END IF;
END;
$$;

-- The current app user, or NULL when app.user_id is unset or empty: NULL matches no row.
CREATE FUNCTION app_current_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT NULLIF(current_setting('app.user_id', true), '')::uuid
$$;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_isolation_policy ON users FOR ALL TO application_user
  USING (id = app_current_user_id());

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['user_profiles', 'user_preferences', 'job_applications', 'user_job_swipes',
                           'resumes', 'user_notifications'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I FOR ALL TO application_user USING (user_id = app_current_user_id()) WITH CHECK (user_id = app_current_user_id())',
                   t || '_owner_policy', t);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO application_user', t);
  END LOOP;
END;
$$;
GRANT SELECT, UPDATE ON users TO application_user;
GRANT SELECT ON companies, job_postings, resume_templates TO application_user;
GRANT EXECUTE ON FUNCTION app_current_user_id() TO application_user;

-- --------------------------------------------------------------------- GDPR
-- Retention (pg_cron in the seed; a Dagster schedule calls this instead). Returns what it removed.
CREATE FUNCTION cleanup_expired_data(as_of timestamp DEFAULT (now() AT TIME ZONE 'UTC'))
RETURNS TABLE (table_name text, rows_deleted bigint) LANGUAGE plpgsql AS $$
DECLARE
  n bigint;
BEGIN
  DELETE FROM users
   WHERE is_deleted = true
     AND (deleted_at < as_of - interval '7 years' OR data_retention_until < as_of);
  GET DIAGNOSTICS n = ROW_COUNT;
  table_name := 'users'; rows_deleted := n; RETURN NEXT;

  DELETE FROM analytics_events WHERE "timestamp" < as_of - interval '3 years';
  GET DIAGNOSTICS n = ROW_COUNT;
  table_name := 'analytics_events'; rows_deleted := n; RETURN NEXT;

  DELETE FROM audit_logs WHERE created_at < as_of - interval '7 years';
  GET DIAGNOSTICS n = ROW_COUNT;
  table_name := 'audit_logs'; rows_deleted := n; RETURN NEXT;
END;
$$;

-- Everything stored about one user, each collection exactly once (the seed's single GROUP BY
-- over five joins multiplied rows). Encrypted PII comes back as ciphertext; the Python wrapper
-- (pipelines/db/gdpr.py) decrypts it.
CREATE FUNCTION export_user_data(target_user_id uuid) RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT jsonb_build_object(
    'user', to_jsonb(u) - 'password_hash',
    'profile', (SELECT to_jsonb(up) FROM user_profiles up WHERE up.user_id = u.id),
    'preferences', (SELECT to_jsonb(upr) FROM user_preferences upr WHERE upr.user_id = u.id),
    'resumes', COALESCE((SELECT jsonb_agg(to_jsonb(r) ORDER BY r.created_at) FROM resumes r WHERE r.user_id = u.id), '[]'::jsonb),
    'applications', COALESCE((SELECT jsonb_agg(to_jsonb(ja) ORDER BY ja.created_at) FROM job_applications ja WHERE ja.user_id = u.id), '[]'::jsonb),
    'swipes', COALESCE((SELECT jsonb_agg(to_jsonb(s) ORDER BY s.created_at) FROM user_job_swipes s WHERE s.user_id = u.id), '[]'::jsonb),
    'subscription', (SELECT to_jsonb(sb) FROM subscriptions sb WHERE sb.user_id = u.id),
    'notifications', COALESCE((SELECT jsonb_agg(to_jsonb(n) ORDER BY n.created_at) FROM user_notifications n WHERE n.user_id = u.id), '[]'::jsonb)
  )
  FROM users u
  WHERE u.id = target_user_id
$$;

-- Right to erasure without breaking aggregates: personal data is removed, behavioural facts stay
-- attached to an anonymous, soft-deleted account that retention later deletes for good.
CREATE FUNCTION anonymize_user(target_user_id uuid) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  UPDATE users
     SET email = 'erased+' || id::text || '@invalid.jobswipe',
         password_hash = NULL, data_consent = false, consent_date = NULL,
         status = 'INACTIVE', is_deleted = true,
         deleted_at = COALESCE(deleted_at, now() AT TIME ZONE 'UTC')
   WHERE id = target_user_id;
  UPDATE user_profiles
     SET first_name = NULL, last_name = NULL, phone = NULL, date_of_birth = NULL,
         current_title = NULL, profile_visibility = 'PRIVATE', show_email = false
   WHERE user_id = target_user_id;
  UPDATE user_preferences
     SET data_processing_consent = false, marketing_consent = false, analytics_consent = false
   WHERE user_id = target_user_id;
  DELETE FROM resumes WHERE user_id = target_user_id
     AND id NOT IN (SELECT resume_id FROM job_applications WHERE resume_id IS NOT NULL);
  UPDATE resumes SET content = '{}'::jsonb, sections = NULL, share_token = NULL, visibility = 'PRIVATE'
   WHERE user_id = target_user_id;
  DELETE FROM user_notifications WHERE user_id = target_user_id;
  UPDATE job_applications SET cover_letter = NULL, notes = NULL, custom_fields = NULL
   WHERE user_id = target_user_id;
  UPDATE user_job_swipes SET user_feedback = NULL WHERE user_id = target_user_id;
  UPDATE analytics_events SET ip_address = NULL, user_agent = NULL, traits = NULL
   WHERE user_id = target_user_id;
  UPDATE usage_records SET ip_address = NULL WHERE user_id = target_user_id;
  UPDATE audit_logs SET ip_address = NULL, user_agent = NULL WHERE user_id = target_user_id;
END;
$$;

-- ------------------------------------------------------------ seed's views
CREATE VIEW application_metrics AS
SELECT
    DATE_TRUNC('day', created_at) AS date,
    COUNT(*) AS total_applications,
    COUNT(*) FILTER (WHERE status = 'APPLIED') AS successful_applications,
    AVG(EXTRACT(EPOCH FROM (applied_at - created_at)) / 3600) AS avg_time_to_apply_hours,
    COUNT(*) FILTER (WHERE source = 'AUTOMATION') AS automated_applications
FROM job_applications
WHERE created_at >= (now() AT TIME ZONE 'UTC') - INTERVAL '30 days'
GROUP BY DATE_TRUNC('day', created_at)
ORDER BY date;

CREATE VIEW user_engagement_metrics AS
SELECT
    DATE_TRUNC('day', created_at) AS date,
    COUNT(DISTINCT user_id) AS daily_active_users,
    COUNT(*) FILTER (WHERE direction = 'RIGHT') AS right_swipes,
    COUNT(*) FILTER (WHERE direction = 'LEFT') AS left_swipes,
    AVG(time_spent) AS avg_time_per_job
FROM user_job_swipes
WHERE created_at >= (now() AT TIME ZONE 'UTC') - INTERVAL '30 days'
GROUP BY DATE_TRUNC('day', created_at)
ORDER BY date;
