DROP FUNCTION uuid_time_ordered();
