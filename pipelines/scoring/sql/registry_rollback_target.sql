-- The model to roll back to by default: the last one retired before the current champion.
SELECT version FROM model_registry
 WHERE status = 'RETIRED'
   AND version < coalesce((SELECT version FROM model_registry WHERE status = 'CHAMPION'), 2147483647)
 ORDER BY version DESC
 LIMIT 1
