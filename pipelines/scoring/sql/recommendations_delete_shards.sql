-- The recommendations of the users in the given shards (every row when all shards are given).
DELETE FROM recommendations
 WHERE cardinality(%(shards)s::int[]) = %(shard_count)s
    OR user_shard(user_id, %(shard_count)s) = ANY(%(shards)s::int[])
