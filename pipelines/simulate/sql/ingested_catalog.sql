-- Postings that came from ingestion (not from a simulated world), for users to swipe on.
SELECT p.id::text, p.company_id::text, p.title, p.description, p.level::text, p.remote_type::text,
       p.city, p.country, p.salary_max_yearly, p.currency, p.posted_at, p.expires_at
  FROM job_postings p
 WHERE p.external_id IS NULL OR p.external_id NOT LIKE 'sim:%%'
 ORDER BY p.id
 LIMIT %(limit)s
