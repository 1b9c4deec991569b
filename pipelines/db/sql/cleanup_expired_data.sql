SELECT table_name, rows_deleted FROM cleanup_expired_data(%(as_of)s)
