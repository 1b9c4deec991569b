-- What erasing one user touches, per table: rows that still hold personal data to remove, or
-- that are deleted (recommendations are derived from the user's profile and history: deleted).
SELECT table_name, rows FROM (VALUES
  ('users', (SELECT count(*) FROM users WHERE id = %(user_id)s
               AND (password_hash IS NOT NULL OR data_consent OR NOT coalesce(is_deleted, false)
                    OR email NOT LIKE 'erased+%%@invalid.jobswipe'))),
  ('user_profiles', (SELECT count(*) FROM user_profiles WHERE user_id = %(user_id)s
                       AND (first_name IS NOT NULL OR last_name IS NOT NULL OR phone IS NOT NULL
                            OR date_of_birth IS NOT NULL OR current_title IS NOT NULL))),
  ('user_preferences', (SELECT count(*) FROM user_preferences WHERE user_id = %(user_id)s
                          AND (data_processing_consent OR marketing_consent OR analytics_consent))),
  ('resumes', (SELECT count(*) FROM resumes WHERE user_id = %(user_id)s AND content <> '{}'::jsonb)),
  ('user_notifications', (SELECT count(*) FROM user_notifications WHERE user_id = %(user_id)s)),
  ('job_applications', (SELECT count(*) FROM job_applications WHERE user_id = %(user_id)s
                          AND (cover_letter IS NOT NULL OR notes IS NOT NULL OR custom_fields IS NOT NULL))),
  ('user_job_swipes', (SELECT count(*) FROM user_job_swipes WHERE user_id = %(user_id)s AND user_feedback IS NOT NULL)),
  ('analytics_events', (SELECT count(*) FROM analytics_events WHERE user_id = %(user_id)s
                          AND (ip_address IS NOT NULL OR user_agent IS NOT NULL OR traits IS NOT NULL))),
  ('usage_records', (SELECT count(*) FROM usage_records WHERE user_id = %(user_id)s AND ip_address IS NOT NULL)),
  ('audit_logs', (SELECT count(*) FROM audit_logs WHERE user_id = %(user_id)s
                    AND (ip_address IS NOT NULL OR user_agent IS NOT NULL))),
  ('recommendations', (SELECT count(*) FROM recommendations WHERE user_id = %(user_id)s)),
  ('recommendation_history', (SELECT count(*) FROM recommendation_history WHERE user_id = %(user_id)s))
) AS counts(table_name, rows)
