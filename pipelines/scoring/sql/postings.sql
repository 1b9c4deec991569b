-- Every posting with its company's attributes, in an order its content decides (source id, then
-- content hash): every snapshot of the same postings is the same frame, wherever updates left
-- the rows and whatever ids a database gave them, so text statistics, title clusters and
-- collaborative factors do not depend on either.
SELECT p.id::text AS job_posting_id, p.company_id::text, p.title, p.description, p.type::text AS type,
       p.level::text AS level, p.remote_type::text AS remote_type, p.country, p.latitude, p.longitude,
       p.salary_max_yearly, p.currency, p.posted_at, coalesce(c.is_verified, false) AS company_verified,
       c.industry, c.size::text AS company_size,
       p.is_active AND p.status = 'ACTIVE' AS is_open
  FROM job_postings p
  LEFT JOIN companies c ON c.id = p.company_id
 ORDER BY p.external_id, p.content_hash, p.source, p.title, p.posted_at, p.id
