select
    id as application_id,
    user_id,
    job_posting_id,
    status::text as status,
    source::text as application_source,
    automation_status::text as automation_status,
    automation_attempts,
    created_at,
    applied_at,
    viewed_at,
    response_at,
    interview_at,
    response_time as response_time_hours,
    interview_count,
    date_trunc('month', created_at)::date as application_month
from {{ source('jobswipe', 'job_applications') }}
where {{ has_data_consent('user_id') }}
