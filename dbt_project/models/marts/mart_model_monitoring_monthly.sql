{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly'],
          on_schema_change='append_new_columns') }}
-- The match-score model in production: score distribution and the observed right-swipe rate
-- per score decile of each month (empty until the model has scored swipes), and how the feed's
-- recommendations fare: the right-swipe rate on postings the feed had recommended to the
-- swiping user against every other swipe, and how many postings and users it recommended to.
with scored as (
    select
        swipe_month, match_score, is_right_swipe, was_recommended,
        ntile(10) over (partition by swipe_month order by match_score) as score_decile
    from {{ ref('fct_swipes') }}
    where match_score is not null and {{ in_window('swiped_at') }}
),

month_swipes as (
    select
        swipe_month,
        count(*) filter (where was_recommended) as recommended_swipes,
        avg(is_right_swipe::int) filter (where was_recommended) as recommended_rate,
        avg(is_right_swipe::int) filter (where not was_recommended) as other_rate
    from {{ ref('fct_swipes') }}
    where {{ in_window('swiped_at') }}
    group by 1
),

recommended as (
    select
        first_recommended_month as month,
        count(distinct job_posting_id) as postings_recommended,
        count(distinct user_id) as users_recommended
    from {{ ref('stg_jobswipe__recommendation_history') }}
    where {{ in_window('first_recommended_at') }}
    group by 1
),

deciles as (
    select
        swipe_month as month,
        score_decile,
        count(*) as swipes,
        min(match_score) as min_score,
        max(match_score) as max_score,
        avg(match_score) as avg_score,
        round(avg(is_right_swipe::int), 4) as observed_right_swipe_rate,
        round((avg(match_score) / 100.0 - avg(is_right_swipe::int))::numeric, 4) as calibration_gap,
        count(*) filter (where was_recommended) as recommended_swipes_in_decile
    from scored
    group by 1, 2
)

select
    d.*,
    -- Month-level figures, the same on each of the month's decile rows.
    coalesce(m.recommended_swipes, 0) as month_recommended_swipes,
    round(m.recommended_rate, 4) as month_recommended_right_swipe_rate,
    round(m.other_rate, 4) as month_other_right_swipe_rate,
    coalesce(r.postings_recommended, 0) as month_postings_recommended,
    coalesce(r.users_recommended, 0) as month_users_recommended
from deciles as d
left join month_swipes as m on m.swipe_month = d.month
left join recommended as r on r.month = d.month
