-- Profiles and preferences (in id order, so every snapshot of the same rows is the same frame), and where each user uses the app from (their most frequent city in
-- app events): the schema stores no home location.
WITH places AS (
  -- Kept by triggers as events are stored and removed (migration 0016): one row per user and
  -- place, whatever the history.
  SELECT user_id, city, country,
         row_number() OVER (PARTITION BY user_id ORDER BY events DESC, city, country) AS rank
    FROM user_places
)
SELECT u.id::text AS user_id, coalesce(pr.skills, '{}') AS skills, pr.current_title,
       pr.years_of_experience, pf.remote_pref::text AS remote_pref, coalesce(pf.job_types, '{}') AS job_types,
       pl.city AS user_city, pl.country AS user_country,
       -- Recommendations go to active accounts that consent to data processing.
       (u.status = 'ACTIVE' AND NOT coalesce(u.is_deleted, false) AND coalesce(u.data_consent, false)) AS is_active
  FROM users u
  LEFT JOIN user_profiles pr ON pr.user_id = u.id
  LEFT JOIN user_preferences pf ON pf.user_id = u.id
  LEFT JOIN places pl ON pl.user_id = u.id AND pl.rank = 1
 ORDER BY u.id
