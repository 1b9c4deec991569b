{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- Revenue and plan movement per month and plan: paying subscribers, MRR, new, upgraded and
-- churned subscribers, and application usage against the plan's limit.
with payments as (
    select user_id, event_month as month, max(plan) as plan, sum(revenue) as revenue
    from {{ ref('stg_jobswipe__analytics_events') }}
    where event_type = 'payment'
        and occurred_at >= '{{ var("min_date") }}'::timestamp - interval '1 month'
        and occurred_at < '{{ var("max_date") }}'::timestamp
    group by 1, 2
),

ranked as (
    select
        p.*,
        lag(p.plan) over (partition by p.user_id order by p.month) as previous_plan,
        lag(p.month) over (partition by p.user_id order by p.month) as previous_month
    from payments as p
),

current_month as (
    select * from ranked
    where month >= '{{ var("min_date") }}'::date and month < '{{ var("max_date") }}'::date
),

churned as (
    -- Paid last month, not this month.
    select (r.month + interval '1 month')::date as month, r.plan, count(*) as churned
    from ranked as r
    where not exists (
            select 1 from payments as n
            where n.user_id = r.user_id and n.month = (r.month + interval '1 month')::date
        )
        and (r.month + interval '1 month')::date >= '{{ var("min_date") }}'::date
        and (r.month + interval '1 month')::date < '{{ var("max_date") }}'::date
        and (r.month + interval '1 month')::date <= (select max(latest.month) from payments as latest)
    group by 1, 2
),

usage as (
    select u.user_id, u.usage_month as month, sum(u.usage_count) as applications_used
    from {{ ref('stg_jobswipe__usage_records') }} as u
    where u.feature in ('APPLICATION', 'AUTO_APPLICATION') and {{ in_window('u.usage_date') }}
    group by 1, 2
),

paying as (
    select
        c.month,
        c.plan,
        count(*) as paying_subscribers,
        sum(c.revenue) as mrr,
        count(*) filter (where c.previous_month is null or c.previous_month < (c.month - interval '1 month')::date) as new_paying,
        count(*) filter (where c.previous_plan = 'BASIC' and c.plan = 'PRO') as upgrades,
        avg(coalesce(u.applications_used, 0)) as avg_applications_used,
        max(s.monthly_application_limit) as monthly_application_limit,
        count(*) filter (where coalesce(u.applications_used, 0) >= s.monthly_application_limit) as subscribers_at_limit
    from current_month as c
    left join usage as u on u.user_id = c.user_id and u.month = c.month
    left join {{ ref('stg_jobswipe__subscriptions') }} as s on s.user_id = c.user_id
    group by 1, 2
)

select
    coalesce(p.month, ch.month) as month,
    coalesce(p.plan, ch.plan) as plan,
    coalesce(p.paying_subscribers, 0) as paying_subscribers,
    coalesce(p.mrr, 0) as mrr,
    coalesce(p.new_paying, 0) as new_paying,
    coalesce(p.upgrades, 0) as upgrades,
    coalesce(ch.churned, 0) as churned,
    p.avg_applications_used,
    p.monthly_application_limit,
    coalesce(p.subscribers_at_limit, 0) as subscribers_at_limit
from paying as p
full outer join churned as ch on ch.month = p.month and ch.plan = p.plan
