-- Recommendations the feed must never show: an already swiped pair, or a posting no longer open.
SELECT count(*) FROM recommendations r
 WHERE EXISTS (SELECT 1 FROM user_job_swipes s
                WHERE s.user_id = r.user_id AND s.job_posting_id = r.job_posting_id)
    OR EXISTS (SELECT 1 FROM job_postings p
                WHERE p.id = r.job_posting_id AND NOT (p.is_active AND p.status = 'ACTIVE'))
