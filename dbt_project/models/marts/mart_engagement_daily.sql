{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- The seed's user_engagement_metrics view, kept for every day rather than the last 30.
select
    swipe_date as date,
    date_trunc('month', swipe_date)::date as month,
    count(distinct user_id) as daily_active_users,
    count(*) as swipes,
    count(*) filter (where direction = 'RIGHT') as right_swipes,
    count(*) filter (where direction = 'LEFT') as left_swipes,
    count(*) filter (where direction = 'SUPER_LIKE') as super_likes,
    avg(time_spent_seconds) as avg_time_per_job,
    count(distinct session_id) as sessions
from {{ ref('fct_swipes') }}
where {{ in_window('swiped_at') }}
group by swipe_date
