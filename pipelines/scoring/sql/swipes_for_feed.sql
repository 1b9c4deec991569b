-- The swipes query (swipes.sql) cut to what recommendations read: who swiped what, its company
-- and the outcome. A run with no swipe to score reads this instead: without the swipe ids, the
-- deck positions and devices, the applications join and the unscored test, the server's work
-- for ten million rows is about a third less (docs/benchmarks.md, session 15). Same rows, same
-- consent rule, same page ranges.
SELECT s.user_id::text, s.job_posting_id::text, p.company_id::text,
       (s.direction <> 'LEFT')::int AS label
  FROM user_job_swipes s
  JOIN job_postings p ON p.id = s.job_posting_id
  JOIN users consenting ON consenting.id = s.user_id AND consenting.data_consent
 WHERE s.user_id IS NOT NULL
   AND s.ctid >= ('(' || %(from_page)s::bigint || ',0)')::tid
   AND s.ctid < ('(' || %(end_page)s::bigint || ',0)')::tid
