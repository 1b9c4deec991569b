{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='application_month', tags=['monthly'],
          post_hook="{{ forget_withdrawn_users() }}",
          indexes=[{'columns': ['application_month']}]) }}
-- One row per application with the stages it reached and the time each stage took.
with applications as (
    select * from {{ ref('stg_jobswipe__job_applications') }}
    where {{ in_window('created_at') }}
)

select
    a.application_id,
    a.application_month,
    a.created_at,
    a.user_id,
    a.job_posting_id,
    p.company_id,
    p.source as posting_source,
    p.job_category,
    a.status,
    a.application_source,
    a.automation_status,
    a.automation_attempts,
    s.swiped_at,
    a.applied_at,
    a.viewed_at,
    a.response_at,
    a.interview_at,
    a.applied_at is not null as reached_applied,
    a.viewed_at is not null as reached_viewed,
    (a.interview_at is not null or a.status in ('INTERVIEW', 'OFFER', 'ACCEPTED')) as reached_interview,
    a.status in ('OFFER', 'ACCEPTED') as reached_offer,
    a.status = 'ACCEPTED' as accepted,
    extract(epoch from (a.created_at - s.swiped_at)) / 3600.0 as hours_swipe_to_queued,
    extract(epoch from (a.applied_at - a.created_at)) / 3600.0 as hours_queued_to_applied,
    extract(epoch from (a.viewed_at - a.applied_at)) / 3600.0 as hours_applied_to_viewed,
    extract(epoch from (a.interview_at - a.applied_at)) / 3600.0 as hours_applied_to_interview
from applications as a
left join {{ ref('stg_jobswipe__job_postings') }} as p on p.job_posting_id = a.job_posting_id
left join {{ ref('stg_jobswipe__user_job_swipes') }} as s on s.user_id = a.user_id and s.job_posting_id = a.job_posting_id
