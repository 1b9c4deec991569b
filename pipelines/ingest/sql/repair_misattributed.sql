-- Sightings whose stated employer disagrees with the company their posting is filed under.
SELECT ps.source::text, ps.external_key, ps.external_id, ps.is_primary, ps.job_posting_id, ps.employer_name,
       ps.employer_slug, p.title, p.city, p.country, p.remote_type::text
  FROM job_posting_sources ps
  JOIN job_postings p ON p.id = ps.job_posting_id
  JOIN companies c ON c.id = p.company_id
 WHERE ps.employer_slug IS NOT NULL
   AND c.slug <> ps.employer_slug
   AND ps.employer_slug NOT LIKE c.slug || '-%'
   AND c.slug NOT LIKE ps.employer_slug || '-%'
 ORDER BY ps.is_primary DESC, ps.first_seen_at, ps.source, ps.external_key
