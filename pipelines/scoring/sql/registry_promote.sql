-- Second half of a promotion. swipes_scored_at is cleared: the new champion's next scoring run
-- rescores every swipe.
UPDATE model_registry
   SET status = 'CHAMPION', promoted_at = (now() AT TIME ZONE 'UTC'), swipes_scored_at = NULL
 WHERE version = %(version)s
