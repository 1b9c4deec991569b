-- Staged rows whose claimed domain belongs to a company of another name: they stay under their
-- stated employer, and are counted so the disagreement is never silent.
SELECT count(*)
  FROM ingest_stage s
  JOIN companies c ON c.domain = s.claimed_domain
 WHERE s.company_id <> c.id
