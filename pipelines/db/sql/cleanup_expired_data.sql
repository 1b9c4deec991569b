SELECT table_name, rows_deleted FROM cleanup_expired_data()
