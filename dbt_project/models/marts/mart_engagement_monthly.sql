{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- Monthly engagement: DAU, WAU and MAU from app events, stickiness, and swipe behaviour.
with activity as (
    -- One row per user and day with any app event. WAU on the first days of a month looks six
    -- days back, so the window starts a week early.
    select user_id, day
    from {{ ref('int_user_active_days') }}
    where day >= '{{ var("min_date") }}'::date - 6
        and day < '{{ var("max_date") }}'::date
),

days as (
    select distinct day from activity
    where day >= '{{ var("min_date") }}'::date and day < '{{ var("max_date") }}'::date
),

daily as (
    select
        d.day,
        count(distinct a.user_id) filter (where a.day = d.day) as dau,
        count(distinct a.user_id) as wau
    from days as d
    inner join activity as a on a.day between d.day - 6 and d.day
    group by d.day
),

monthly_active as (
    select date_trunc('month', day)::date as month, count(distinct user_id) as mau
    from activity
    where day >= '{{ var("min_date") }}'::date and day < '{{ var("max_date") }}'::date
    group by 1
),

swipes as (
    select
        swipe_month as month,
        count(*) as swipes,
        count(distinct session_id) as sessions,
        avg(time_spent_seconds) as avg_time_per_job_seconds,
        avg(is_right_swipe::int) as right_swipe_rate
    from {{ ref('fct_swipes') }}
    where {{ in_window('swiped_at') }}
    group by 1
)

select
    m.month,
    m.mau,
    round(avg(d.dau), 2) as avg_dau,
    round(avg(d.wau), 2) as avg_wau,
    round(avg(d.dau) / nullif(m.mau, 0), 4) as stickiness_dau_over_mau,
    s.swipes,
    s.sessions,
    round(s.swipes::numeric / nullif(s.sessions, 0), 2) as swipes_per_session,
    s.avg_time_per_job_seconds,
    s.right_swipe_rate
from monthly_active as m
inner join daily as d on date_trunc('month', d.day)::date = m.month
left join swipes as s on s.month = m.month
group by m.month, m.mau, s.swipes, s.sessions, s.avg_time_per_job_seconds, s.right_swipe_rate
