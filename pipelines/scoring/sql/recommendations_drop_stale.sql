-- The shards' recommendations no longer recommended (every row's when all shards are given).
DELETE FROM recommendations r
 WHERE (cardinality(%(shards)s::int[]) = %(shard_count)s
        OR user_shard(r.user_id, %(shard_count)s) = ANY(%(shards)s::int[]))
   AND NOT EXISTS (SELECT 1 FROM fresh_recommendations f
                    WHERE f.user_id = r.user_id AND f.job_posting_id = r.job_posting_id)
