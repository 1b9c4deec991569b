-- The primary sighting carries a posting's content. A posting seen again is updated in place,
-- and only when something changed; its counters, scores and identity are never touched.
INSERT INTO job_postings AS p (
  id, company_id, title, description, description_html, type, level, category, remote, remote_type,
  location, city, state, country, latitude, longitude, salary_min, salary_max, currency, salary_type,
  salary_min_yearly, salary_max_yearly, external_id, source, source_url, apply_url, posted_at,
  expires_at, content_hash, first_seen_at, last_seen_at, status, is_active)
SELECT posting_id, company_id, title, description, description_html, type, level, category, remote,
       remote_type, location, city, state, country, latitude, longitude, salary_min, salary_max,
       currency, salary_type, salary_min_yearly, salary_max_yearly, external_id, source, source_url,
       apply_url, posted_at, expires_at, content_hash, %(seen_at)s, %(seen_at)s,
       CASE WHEN expires_at < %(seen_at)s THEN 'EXPIRED'::job_status ELSE 'ACTIVE'::job_status END,
       expires_at IS NULL OR expires_at >= %(seen_at)s
  FROM ingest_stage
 WHERE is_primary
ON CONFLICT (id) DO UPDATE SET
  company_id = EXCLUDED.company_id, title = EXCLUDED.title, description = EXCLUDED.description,
  description_html = EXCLUDED.description_html, type = EXCLUDED.type, level = EXCLUDED.level,
  category = EXCLUDED.category, remote = EXCLUDED.remote, remote_type = EXCLUDED.remote_type,
  location = EXCLUDED.location, city = EXCLUDED.city, state = EXCLUDED.state,
  country = EXCLUDED.country, latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude,
  salary_min = EXCLUDED.salary_min, salary_max = EXCLUDED.salary_max, currency = EXCLUDED.currency,
  salary_type = EXCLUDED.salary_type, salary_min_yearly = EXCLUDED.salary_min_yearly,
  salary_max_yearly = EXCLUDED.salary_max_yearly, source_url = EXCLUDED.source_url,
  apply_url = EXCLUDED.apply_url, posted_at = EXCLUDED.posted_at, expires_at = EXCLUDED.expires_at,
  last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at)
WHERE (p.company_id, p.title, p.description, p.description_html, p.type, p.level, p.category,
       p.remote, p.remote_type, p.location, p.city, p.state, p.country, p.salary_min, p.salary_max,
       p.currency, p.salary_type, p.source_url, p.apply_url, p.posted_at, p.expires_at)
      IS DISTINCT FROM
      (EXCLUDED.company_id, EXCLUDED.title, EXCLUDED.description, EXCLUDED.description_html,
       EXCLUDED.type, EXCLUDED.level, EXCLUDED.category, EXCLUDED.remote, EXCLUDED.remote_type,
       EXCLUDED.location, EXCLUDED.city, EXCLUDED.state, EXCLUDED.country, EXCLUDED.salary_min,
       EXCLUDED.salary_max, EXCLUDED.currency, EXCLUDED.salary_type, EXCLUDED.source_url,
       EXCLUDED.apply_url, EXCLUDED.posted_at, EXCLUDED.expires_at)
RETURNING (xmax = 0) AS inserted
