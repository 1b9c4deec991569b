{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='swipe_month', tags=['monthly'], on_schema_change='append_new_columns',
          post_hook="{{ forget_withdrawn_users() }}",
          indexes=[{'columns': ['swipe_month']}, {'columns': ['job_posting_id']}]) }}
-- One row per swipe, with the posting, the user's cohort and plan, and whether it led to an
-- application. Rebuilt one month at a time.
with swipes as (
    select * from {{ ref('stg_jobswipe__user_job_swipes') }}
    where {{ in_window('swiped_at') }}
),

applications as (
    -- Applications follow their swipe within days; a month's swipes look a month ahead.
    select user_id, job_posting_id, application_id
    from {{ ref('stg_jobswipe__job_applications') }}
    where created_at >= '{{ var("min_date") }}'::timestamp
        and created_at < '{{ var("max_date") }}'::timestamp + interval '31 days'
)

select
    s.swipe_id,
    s.swipe_month,
    s.swiped_at,
    s.swiped_at::date as swipe_date,
    s.user_id,
    s.job_posting_id,
    p.company_id,
    p.source as posting_source,
    p.country as posting_country,
    p.job_category,
    p.job_level,
    s.direction,
    s.is_right_swipe,
    s.is_super_like,
    s.device_type,
    s.session_id,
    s.deck_position,
    s.time_spent_seconds,
    s.match_score,
    u.signup_month,
    coalesce(sub.plan, 'FREE') as current_plan,
    a.application_id,
    a.application_id is not null as led_to_application,
    r.first_recommended_at is not null as was_recommended
from swipes as s
left join {{ ref('stg_jobswipe__job_postings') }} as p on p.job_posting_id = s.job_posting_id
left join {{ ref('stg_jobswipe__users') }} as u on u.user_id = s.user_id
left join {{ ref('stg_jobswipe__subscriptions') }} as sub on sub.user_id = s.user_id
left join applications as a on a.user_id = s.user_id and a.job_posting_id = s.job_posting_id
-- Swiped after the feed had recommended the posting to this user.
left join {{ ref('stg_jobswipe__recommendation_history') }} as r
    on r.user_id = s.user_id and r.job_posting_id = s.job_posting_id
        and r.first_recommended_at <= s.swiped_at
