-- A sighting wrongly merged into another employer's posting gets a posting of its own (the same
-- content under its stated employer), or joins the one that employer already has.
WITH existing AS (
  SELECT id FROM job_postings WHERE content_hash = %(content_hash)s
), copied AS (
  INSERT INTO job_postings (
    company_id, title, description, description_html, type, level, category, remote, remote_type,
    location, city, state, country, latitude, longitude, salary_min, salary_max, currency,
    salary_type, salary_min_yearly, salary_max_yearly, external_id, source, source_url,
    apply_url, posted_at, expires_at, content_hash, first_seen_at, last_seen_at, status, is_active)
  SELECT %(company_id)s, title, description, description_html, type, level, category, remote,
         remote_type, location, city, state, country, latitude, longitude, salary_min, salary_max,
         currency, salary_type, salary_min_yearly, salary_max_yearly, %(external_id)s,
         %(source)s::job_source, source_url, apply_url, posted_at, expires_at, %(content_hash)s,
         first_seen_at, last_seen_at, status, is_active
    FROM job_postings
   WHERE id = %(posting_id)s AND NOT EXISTS (SELECT 1 FROM existing)
  RETURNING id
), target AS (
  SELECT id FROM existing UNION ALL SELECT id FROM copied
)
UPDATE job_posting_sources ps
   SET job_posting_id = (SELECT id FROM target LIMIT 1), is_primary = NOT EXISTS (SELECT 1 FROM existing)
 WHERE ps.source = %(source)s::job_source AND ps.external_key = %(external_key)s
RETURNING (SELECT count(*) FROM copied)
