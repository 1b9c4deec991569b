-- A posting seen again through its primary sighting is updated in place, and only when
-- something changed; its counters, scores and identity are never touched.
UPDATE job_postings p SET
  company_id = k.company_id, title = c.title, description = c.description,
  description_html = c.description_html, type = c.type, level = c.level, category = c.category,
  remote = c.remote, remote_type = c.remote_type, location = c.location, city = c.city,
  state = c.state, country = c.country, latitude = c.latitude, longitude = c.longitude,
  salary_min = c.salary_min, salary_max = c.salary_max, currency = c.currency,
  salary_type = c.salary_type, salary_min_yearly = c.salary_min_yearly,
  salary_max_yearly = c.salary_max_yearly, source_url = k.source_url, apply_url = c.apply_url,
  posted_at = c.posted_at, expires_at = c.expires_at,
  last_seen_at = GREATEST(p.last_seen_at, %(seen_at)s)
  FROM ingest_stage k
  JOIN ingest_content c ON c.record = k.record
 WHERE k.is_primary AND NOT k.is_new_posting AND p.id = k.posting_id
   AND (p.company_id, p.title, p.description, p.description_html, p.type, p.level, p.category,
        p.remote, p.remote_type, p.location, p.city, p.state, p.country, p.salary_min, p.salary_max,
        p.currency, p.salary_type, p.source_url, p.apply_url, p.posted_at, p.expires_at)
       IS DISTINCT FROM
       (k.company_id, c.title, c.description, c.description_html, c.type, c.level, c.category,
        c.remote, c.remote_type, c.location, c.city, c.state, c.country, c.salary_min,
        c.salary_max, c.currency, c.salary_type, k.source_url, c.apply_url, c.posted_at,
        c.expires_at)
