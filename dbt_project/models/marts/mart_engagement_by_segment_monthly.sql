{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- Right-swipe rate and activity by segment: plan, device, job category, user tenure.
with swipes as (
    select
        *,
        case
            when swipe_month = signup_month then 'new (first month)'
            when swipe_month < signup_month + interval '3 months' then '1-2 months'
            else '3+ months'
        end as tenure
    from {{ ref('fct_swipes') }}
    where {{ in_window('swiped_at') }}
),

segmented as (
    select swipe_month, 'plan' as segment_type, current_plan as segment, user_id, is_right_swipe, time_spent_seconds from swipes
    union all
    select swipe_month, 'device' as segment_type, device_type as segment, user_id, is_right_swipe, time_spent_seconds from swipes
    union all
    select swipe_month, 'job_category' as segment_type, job_category as segment, user_id, is_right_swipe, time_spent_seconds from swipes
    union all
    select swipe_month, 'tenure' as segment_type, tenure as segment, user_id, is_right_swipe, time_spent_seconds from swipes
)

select
    swipe_month as month,
    segment_type,
    coalesce(segment, 'unknown') as segment,
    count(distinct user_id) as users,
    count(*) as swipes,
    round(avg(is_right_swipe::int), 4) as right_swipe_rate,
    avg(time_spent_seconds) as avg_time_per_job_seconds
from segmented
group by 1, 2, 3
