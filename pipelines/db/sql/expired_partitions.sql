-- Partitions of a time-partitioned table whose whole range ends at or before the cutoff, with
-- their row counts' estimate source (the name) and bounds; the default partition never is one.
SELECT c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamp AS upper_bound
  FROM pg_inherits i
  JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = %(parent)s::regclass
   AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'
   AND (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \(''([^'']+)''\)'))[1]::timestamp <= %(cutoff)s
 ORDER BY upper_bound
