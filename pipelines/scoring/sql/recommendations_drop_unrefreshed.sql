-- The shards' users given no list by this run (no longer active, or nothing left to show):
-- their recommendations go (every row's when no user was refreshed and all shards are given).
DELETE FROM recommendations r
 WHERE (cardinality(%(shards)s::int[]) = %(shard_count)s
        OR user_shard(r.user_id, %(shard_count)s) = ANY(%(shards)s::int[]))
   AND NOT EXISTS (SELECT 1 FROM refreshed_users u WHERE u.user_id = r.user_id)
