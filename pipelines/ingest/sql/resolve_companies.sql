-- One company is one row across feeds: matched on the employer's own web domain where its name
-- agrees, then on the name's slug; the rest are created (the first name seen for a slug wins),
-- then domains we did not know are learned.

-- A domain that names three or more employers (in this batch, in earlier sightings or on a
-- company row) belongs to a board or aggregator, not to an employer: it is learned as one.
INSERT INTO board_domains (domain, employers, reason)
SELECT domain, employers, format('named %s distinct employers', employers)
  FROM (SELECT domain, count(DISTINCT slug) AS employers
          FROM (SELECT claimed_domain AS domain, company_slug AS slug
                  FROM ingest_stage WHERE claimed_domain IS NOT NULL
                UNION
                SELECT ps.claimed_domain, ps.employer_slug
                  FROM job_posting_sources ps
                 WHERE ps.claimed_domain IN (SELECT claimed_domain FROM ingest_stage)
                   AND ps.employer_slug IS NOT NULL
                UNION
                SELECT c.domain, c.slug
                  FROM companies c
                 WHERE c.domain IN (SELECT claimed_domain FROM ingest_stage)) named
         GROUP BY domain) counted
 WHERE employers >= 3
ON CONFLICT (domain) DO NOTHING;

UPDATE companies SET domain = NULL
 WHERE domain IN (SELECT claimed_domain FROM ingest_stage)
   AND domain IN (SELECT domain FROM board_domains);

UPDATE ingest_stage SET company_domain = NULL
 WHERE company_domain IN (SELECT domain FROM board_domains);

-- A company never takes a posting whose stated employer disagrees with it: the domain decides
-- only where the names agree ('acme' and 'acme-analytics' do; 'acme' and 'globex' do not).
UPDATE ingest_stage s SET company_id = c.id
  FROM companies c
 WHERE s.company_domain IS NOT NULL AND c.domain = s.company_domain
   AND (c.slug = s.company_slug
        OR s.company_slug LIKE c.slug || '-%'
        OR c.slug LIKE s.company_slug || '-%');

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

-- A domain is learned for a company only when, in this batch, it names that company alone.
UPDATE companies c SET domain = learned.company_domain
  FROM (SELECT company_domain, min(company_id::text)::uuid AS company_id
          FROM ingest_stage
         WHERE company_domain IS NOT NULL
         GROUP BY company_domain
        HAVING count(DISTINCT company_id) = 1) learned
 WHERE c.id = learned.company_id
   AND c.domain IS NULL
   AND NOT EXISTS (SELECT 1 FROM companies taken WHERE taken.domain = learned.company_domain)
