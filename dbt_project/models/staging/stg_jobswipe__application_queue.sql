select
    id as queue_id,
    user_id,
    job_posting_id,
    application_id,
    status::text as queue_status,
    attempts,
    max_attempts,
    requires_captcha,
    success,
    error_type,
    scheduled_at,
    started_at,
    completed_at,
    extract(epoch from (completed_at - started_at)) as duration_seconds,
    created_at,
    date_trunc('month', created_at)::date as queue_month
from {{ source('jobswipe', 'application_queue') }}
where {{ has_data_consent('user_id') }}
