-- The version has scored every swipe once every shard has a record of it.
UPDATE model_registry SET swipes_scored_at = %(scored_at)s
 WHERE version = %(version)s
   AND (SELECT count(*) FROM scoring_shard_runs WHERE model_version = %(version)s) >= %(shard_count)s
