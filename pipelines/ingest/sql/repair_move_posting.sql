-- The posting moves to its stated employer; its content hash follows unless another posting
-- already holds that identity.
UPDATE job_postings p
   SET company_id = %(company_id)s,
       content_hash = CASE
         WHEN EXISTS (SELECT 1 FROM job_postings o
                       WHERE o.content_hash = %(content_hash)s AND o.id <> p.id)
         THEN p.content_hash ELSE %(content_hash)s END
 WHERE p.id = %(posting_id)s AND p.company_id IS DISTINCT FROM %(company_id)s
