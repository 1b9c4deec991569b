select
    id as log_id,
    queue_id,
    level::text as log_level,
    step,
    action,
    error_type,
    execution_time as execution_ms,
    split_part(split_part(page_url, '://', 2), '/', 1) as site,
    created_at
from {{ source('jobswipe', 'automation_logs') }}
