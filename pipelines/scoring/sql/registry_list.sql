-- The newest model versions with their metrics and the gate's decision (jobswipe model list).
SELECT version, status::text, validation_month, metrics, decision
  FROM model_registry
 ORDER BY version DESC
 LIMIT %(limit)s
