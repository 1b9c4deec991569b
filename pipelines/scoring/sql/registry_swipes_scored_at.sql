-- When this version last scored every swipe (NULL: a full rescore is due).
SELECT swipes_scored_at FROM model_registry WHERE version = %(version)s
