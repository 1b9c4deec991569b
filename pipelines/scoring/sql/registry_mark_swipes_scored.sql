UPDATE model_registry SET swipes_scored_at = %(scored_at)s WHERE version = %(version)s
