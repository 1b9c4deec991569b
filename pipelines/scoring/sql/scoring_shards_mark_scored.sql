-- This version has rescored every swipe of these shards.
INSERT INTO scoring_shard_runs (model_version, shard, scored_at)
SELECT %(version)s, shard, %(scored_at)s FROM unnest(%(shards)s::int[]) AS shard
ON CONFLICT (model_version, shard) DO UPDATE SET scored_at = excluded.scored_at
