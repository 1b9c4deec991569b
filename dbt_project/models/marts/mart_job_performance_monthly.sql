{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly'],
          indexes=[{'columns': ['month']}, {'columns': ['company_id']}]) }}
-- Per posting and month: detail views, swipes, right-swipe rate and applications, with the
-- company, source and place to group by.
with views as (
    select job_posting_id::uuid as job_posting_id, event_month as month, count(*) as views
    from {{ ref('stg_jobswipe__analytics_events') }}
    where event_name = 'job_viewed' and job_posting_id is not null and {{ in_window('occurred_at') }}
    group by 1, 2
),

swipes as (
    select
        job_posting_id, swipe_month as month,
        count(*) as swipes,
        count(*) filter (where is_right_swipe) as right_swipes,
        count(*) filter (where is_super_like) as super_likes,
        count(*) filter (where led_to_application) as applications
    from {{ ref('fct_swipes') }}
    where {{ in_window('swiped_at') }}
    group by 1, 2
),

activity as (
    select
        coalesce(s.job_posting_id, v.job_posting_id) as job_posting_id,
        coalesce(s.month, v.month) as month,
        coalesce(v.views, 0) as views,
        coalesce(s.swipes, 0) as swipes,
        coalesce(s.right_swipes, 0) as right_swipes,
        coalesce(s.super_likes, 0) as super_likes,
        coalesce(s.applications, 0) as applications
    from swipes as s
    full outer join views as v on v.job_posting_id = s.job_posting_id and v.month = s.month
)

select
    a.month,
    a.job_posting_id,
    p.title,
    p.company_id,
    c.company_name,
    p.source,
    p.country,
    p.city,
    p.job_category,
    a.views,
    a.swipes,
    a.right_swipes,
    a.super_likes,
    round(a.right_swipes::numeric / nullif(a.swipes, 0), 4) as right_swipe_rate,
    a.applications,
    round(a.applications::numeric / nullif(a.right_swipes, 0), 4) as applications_per_right_swipe
from activity as a
left join {{ ref('stg_jobswipe__job_postings') }} as p on p.job_posting_id = a.job_posting_id
left join {{ ref('stg_jobswipe__companies') }} as c on c.company_id = p.company_id
