-- Boards on company rows (from the maintained list, passed in) and, by data, claimed domains
-- that earlier sightings used for three or more distinct employers.
INSERT INTO board_domains (domain, employers, reason)
SELECT domain, employers, reason
  FROM (SELECT unnest(%(listed)s::text[]) AS domain, 0 AS employers,
               'on the maintained list of boards' AS reason
        UNION ALL
        SELECT claimed_domain, count(DISTINCT employer_slug)::int,
               format('named %%s distinct employers', count(DISTINCT employer_slug))
          FROM job_posting_sources
         WHERE claimed_domain IS NOT NULL AND employer_slug IS NOT NULL
         GROUP BY claimed_domain
        HAVING count(DISTINCT employer_slug) >= 3) found
ON CONFLICT (domain) DO NOTHING
RETURNING domain
