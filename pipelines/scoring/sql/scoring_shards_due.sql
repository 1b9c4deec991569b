-- Whether a full rescore is due for any of the shards: the version has not scored every swipe,
-- and some shard has no record of this version scoring it.
SELECT (SELECT swipes_scored_at IS NULL FROM model_registry WHERE version = %(version)s)
       AND EXISTS (SELECT 1 FROM unnest(%(shards)s::int[]) AS wanted(shard)
                    WHERE NOT EXISTS (SELECT 1 FROM scoring_shard_runs r
                                       WHERE r.model_version = %(version)s AND r.shard = wanted.shard))
