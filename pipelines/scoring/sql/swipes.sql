-- Every swipe with what the model learns from: who, what, when, where in the deck, the outcome;
-- and whether any of its score columns is still empty (incremental rescoring scores those).
-- Only users who consent to data processing: a withdrawn consent leaves the next training run,
-- every feature and every score computed after it.
-- One part of the table's pages (from_page up to end_page): load_snapshot reads the parts at once,
-- each on its own connection to one exported snapshot.
SELECT s.id::text AS swipe_id, s.user_id::text, s.job_posting_id::text, p.company_id::text,
       s.created_at AS at, s.position AS deck_position, s.device_type,
       (s.direction <> 'LEFT')::int AS label,
       CASE WHEN a.id IS NOT NULL THEN 2 WHEN s.direction <> 'LEFT' THEN 1 ELSE 0 END AS relevance,
       (s.match_score IS NULL OR s.confidence IS NULL OR s.match_factors IS NULL
        OR s.is_correct_match IS NULL) AS unscored
  FROM user_job_swipes s
  JOIN job_postings p ON p.id = s.job_posting_id
  JOIN users consenting ON consenting.id = s.user_id AND consenting.data_consent
  LEFT JOIN job_applications a ON a.user_id = s.user_id AND a.job_posting_id = s.job_posting_id
 WHERE s.user_id IS NOT NULL
   AND s.ctid >= ('(' || %(from_page)s::bigint || ',0)')::tid
   AND s.ctid < ('(' || %(end_page)s::bigint || ',0)')::tid
