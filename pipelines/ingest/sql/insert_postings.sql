-- New postings: each content hash not stored before, from its first sighting. A plain INSERT:
-- resolve_postings gave them fresh ids, and the postings writer lock keeps every other writer
-- out, so no row can conflict (ON CONFLICT's speculative insertion cost a tenth of the load).
INSERT INTO job_postings (
  id, company_id, title, description, description_html, type, level, category, remote, remote_type,
  location, city, state, country, latitude, longitude, salary_min, salary_max, currency, salary_type,
  salary_min_yearly, salary_max_yearly, external_id, source, source_url, apply_url, posted_at,
  expires_at, content_hash, first_seen_at, last_seen_at, status, is_active)
SELECT k.posting_id, k.company_id, c.title, c.description, c.description_html, c.type, c.level,
       c.category, c.remote, c.remote_type, c.location, c.city, c.state, c.country, c.latitude,
       c.longitude, c.salary_min, c.salary_max, c.currency, c.salary_type, c.salary_min_yearly,
       c.salary_max_yearly, k.external_id, k.source, k.source_url, c.apply_url, c.posted_at,
       c.expires_at, k.content_hash, %(seen_at)s, %(seen_at)s,
       CASE WHEN c.expires_at < %(seen_at)s THEN 'EXPIRED'::job_status ELSE 'ACTIVE'::job_status END,
       c.expires_at IS NULL OR c.expires_at >= %(seen_at)s
  FROM ingest_stage k
  JOIN ingest_content c ON c.record = k.record
 WHERE k.is_primary AND k.is_new_posting
