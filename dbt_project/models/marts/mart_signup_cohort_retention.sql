{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='activity_month', tags=['monthly']) }}
-- Monthly sign-up cohorts: of the users who signed up in a month, how many were active (any app
-- event) in each later month. One run adds one activity month to every cohort.
with cohorts as (
    select signup_month as cohort_month, count(*) as cohort_size
    from {{ ref('stg_jobswipe__users') }}
    group by 1
),

active as (
    select distinct d.user_id, d.month as activity_month, u.signup_month as cohort_month
    from {{ ref('int_user_active_days') }} as d
    inner join {{ ref('stg_jobswipe__users') }} as u on u.user_id = d.user_id
    where {{ in_window('d.day') }}
)

select
    a.cohort_month,
    a.activity_month,
    (extract(year from age(a.activity_month, a.cohort_month)) * 12 + extract(month from age(a.activity_month, a.cohort_month)))::int
        as months_since_signup,
    c.cohort_size,
    count(*) as active_users,
    round(count(*)::numeric / nullif(c.cohort_size, 0), 4) as retention_rate
from active as a
inner join cohorts as c on c.cohort_month = a.cohort_month
where a.activity_month >= a.cohort_month
group by a.cohort_month, a.activity_month, c.cohort_size
