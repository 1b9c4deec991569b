{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- The swipe-to-offer funnel of each month's swipes: how many reach each stage, the conversion
-- between stages, and the median hours each step took.
with swipes as (
    select swipe_month, is_right_swipe, application_id
    from {{ ref('fct_swipes') }}
    where {{ in_window('swiped_at') }}
),

applications as (
    select * from {{ ref('fct_applications') }}
    where created_at >= '{{ var("min_date") }}'::timestamp
        and created_at < '{{ var("max_date") }}'::timestamp + interval '31 days'
),

stages as (
    select
        s.swipe_month as month,
        count(*) as swipes,
        count(*) filter (where s.is_right_swipe) as right_swipes,
        count(a.application_id) as queued,
        count(*) filter (where a.reached_applied) as applied,
        count(*) filter (where a.reached_viewed) as viewed,
        count(*) filter (where a.reached_interview) as interviews,
        count(*) filter (where a.reached_offer) as offers,
        count(*) filter (where a.accepted) as accepted,
        percentile_cont(0.5) within group (order by a.hours_swipe_to_queued) as median_hours_swipe_to_queued,
        percentile_cont(0.5) within group (order by a.hours_queued_to_applied) as median_hours_queued_to_applied,
        percentile_cont(0.5) within group (order by a.hours_applied_to_viewed) as median_hours_applied_to_viewed,
        percentile_cont(0.5) within group (order by a.hours_applied_to_interview) as median_hours_applied_to_interview
    from swipes as s
    left join applications as a on a.application_id = s.application_id
    group by s.swipe_month
)

select
    *,
    round(right_swipes::numeric / nullif(swipes, 0), 4) as swipe_to_right_rate,
    round(queued::numeric / nullif(right_swipes, 0), 4) as right_to_queued_rate,
    round(applied::numeric / nullif(queued, 0), 4) as queued_to_applied_rate,
    round(interviews::numeric / nullif(applied, 0), 4) as applied_to_interview_rate,
    round(offers::numeric / nullif(interviews, 0), 4) as interview_to_offer_rate,
    round(offers::numeric / nullif(swipes, 0), 6) as swipe_to_offer_rate
from stages
