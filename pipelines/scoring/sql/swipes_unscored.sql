-- Whether any swipe of the given shards' consenting users that the swipes query reads still
-- lacks a score (its unscored flag): a refresh that finds none reads the narrower
-- swipes_for_feed. One probe of idx_swipes_unscored (migration 0014) per consenting user: the
-- index also holds the swipes of users who withdrew consent, which are never scored, so a walk
-- of the index itself would read those every time.
SELECT EXISTS (
  SELECT 1
    FROM users consenting
   WHERE consenting.data_consent
     AND (cardinality(%(shards)s::int[]) = %(shard_count)s
          OR user_shard(consenting.id, %(shard_count)s) = ANY(%(shards)s::int[]))
     AND EXISTS (
       SELECT 1
         FROM user_job_swipes s
         JOIN job_postings p ON p.id = s.job_posting_id
        WHERE s.user_id = consenting.id
          AND (s.match_score IS NULL OR s.confidence IS NULL OR s.match_factors IS NULL
               OR s.is_correct_match IS NULL))
)
