-- Counters from posting_engagement (kept by triggers as the facts change: migration 0013), and a
-- 0-100 quality score from completeness (title, description, place, company), salary
-- transparency, description quality and engagement (right-swipe rate, smoothed towards the
-- overall rate). Reads one row per posting, whatever the history. Only rows that change are
-- written.
WITH counts AS (
  SELECT job_posting_id, right_swipes AS rights, left_swipes AS lefts, applications, views
    FROM posting_engagement
), overall AS (
  SELECT coalesce(sum(rights)::real / nullif(sum(rights + lefts), 0), 0.3) AS rate FROM counts
), scored AS (
  SELECT p.id,
         coalesce(s.views, 0) AS view_count,
         coalesce(s.applications, 0) AS application_count,
         coalesce(s.rights, 0) AS right_swipe_count,
         coalesce(s.lefts, 0) AS left_swipe_count,
         round((
             10 * (p.title IS NOT NULL)::int
           + 10 * (length(p.description) > 0)::int
           + 10 * (p.city IS NOT NULL OR p.remote_type = 'REMOTE')::int
           + 5 * (p.company_id IS NOT NULL)::int
           + 20 * (p.salary_min IS NOT NULL OR p.salary_max IS NOT NULL)::int
           + 15 * least(length(p.description), 1500) / 1500.0
           + 30 * (coalesce(s.rights, 0) + 10 * o.rate) / (coalesce(s.rights, 0) + coalesce(s.lefts, 0) + 10)
         )::numeric, 1)::real AS quality_score
    FROM job_postings p
    CROSS JOIN overall o
    LEFT JOIN counts s ON s.job_posting_id = p.id
)
UPDATE job_postings p
   SET view_count = scored.view_count, application_count = scored.application_count,
       right_swipe_count = scored.right_swipe_count, left_swipe_count = scored.left_swipe_count,
       quality_score = scored.quality_score
  FROM scored
 WHERE p.id = scored.id
   AND (p.view_count, p.application_count, p.right_swipe_count, p.left_swipe_count, p.quality_score)
       IS DISTINCT FROM
       (scored.view_count, scored.application_count, scored.right_swipe_count, scored.left_swipe_count, scored.quality_score)
