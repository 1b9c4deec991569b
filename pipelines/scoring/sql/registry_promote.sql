-- Second half of a promotion. swipes_scored_at and the shards' records are cleared: the new
-- champion's next scoring run rescores every swipe.
WITH forget_shards AS (
  DELETE FROM scoring_shard_runs WHERE model_version = %(version)s
)
UPDATE model_registry
   SET status = 'CHAMPION', promoted_at = (now() AT TIME ZONE 'UTC'), swipes_scored_at = NULL
 WHERE version = %(version)s
