-- Reverses 0001_seed_schema.up.sql. The application_user role is cluster-wide and shared by every
-- database on the server, so it is left in place; its grants go with the tables.
DROP VIEW IF EXISTS user_engagement_metrics;
DROP VIEW IF EXISTS application_metrics;
DROP FUNCTION IF EXISTS anonymize_user(uuid);
DROP FUNCTION IF EXISTS export_user_data(uuid);
DROP FUNCTION IF EXISTS cleanup_expired_data(timestamp);
DROP TABLE IF EXISTS system_settings, analytics_events, user_notifications, audit_logs, usage_records,
  subscriptions, application_interactions, automation_logs, application_queue, job_applications,
  resume_enhancements, resumes, resume_templates, user_job_swipes, job_postings, companies,
  user_preferences, user_profiles, users CASCADE;
DROP FUNCTION IF EXISTS ensure_time_partitions(regclass, text, date, date);
DROP FUNCTION IF EXISTS app_current_user_id();
DROP FUNCTION IF EXISTS touch_row();
DROP EXTENSION IF EXISTS pg_trgm;
DROP TYPE IF EXISTS user_role, user_status, profile_visibility, remote_preference, swipe_direction,
  company_size, company_status, job_type, job_level, job_category, remote_type, salary_type,
  job_source, job_status, template_category, resume_visibility, enhancement_type, queue_status,
  queue_priority, log_level, application_status, application_priority, application_source,
  automation_status, interaction_type, interaction_outcome, subscription_plan, subscription_status,
  usage_feature, actor_type, risk_level, notification_type, notification_channel,
  notification_priority, notification_status, setting_type;
