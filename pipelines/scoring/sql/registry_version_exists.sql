SELECT 1 FROM model_registry WHERE version = %(version)s
