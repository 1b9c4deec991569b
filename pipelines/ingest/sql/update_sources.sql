-- Sightings seen again: when they were last seen, and what they now say of their URL and
-- employer, written only where something changed.
UPDATE job_posting_sources ps SET
  last_seen_at = GREATEST(ps.last_seen_at, %(seen_at)s),
  source_url = s.source_url,
  employer_name = s.company_name,
  employer_slug = s.company_slug,
  claimed_domain = s.claimed_domain
  FROM ingest_stage s
 WHERE NOT s.is_new_sighting AND ps.source = s.source AND ps.external_key = s.external_key
   AND (ps.last_seen_at < %(seen_at)s OR ps.source_url IS DISTINCT FROM s.source_url
        OR (ps.employer_slug, ps.claimed_domain) IS DISTINCT FROM (s.company_slug, s.claimed_domain))
