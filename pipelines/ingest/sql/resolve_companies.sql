-- One company is one row across feeds: match on web domain first, then on the name's slug;
-- create the rest (the first name seen for a slug wins), then learn domains we did not know.
UPDATE ingest_stage s SET company_id = c.id
  FROM companies c
 WHERE s.company_domain IS NOT NULL AND c.domain = s.company_domain;

UPDATE ingest_stage s SET company_id = c.id
  FROM companies c
 WHERE s.company_id IS NULL AND c.slug = s.company_slug;

WITH created AS (
  INSERT INTO companies (name, slug)
  SELECT DISTINCT ON (company_slug) company_name, company_slug
    FROM ingest_stage
   WHERE company_id IS NULL
   ORDER BY company_slug, record
  ON CONFLICT (slug) DO NOTHING
  RETURNING id, slug
)
UPDATE ingest_stage s SET company_id = created.id
  FROM created
 WHERE s.company_id IS NULL AND s.company_slug = created.slug;

UPDATE companies c SET domain = learned.company_domain
  FROM (SELECT DISTINCT ON (company_domain) company_id, company_domain
          FROM ingest_stage
         WHERE company_domain IS NOT NULL
         ORDER BY company_domain, record) learned
 WHERE c.id = learned.company_id
   AND c.domain IS NULL
   AND NOT EXISTS (SELECT 1 FROM companies taken WHERE taken.domain = learned.company_domain)
