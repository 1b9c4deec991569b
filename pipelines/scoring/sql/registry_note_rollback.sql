UPDATE model_registry SET decision = coalesce(decision, '') || %(note)s WHERE version = %(version)s
