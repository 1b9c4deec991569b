{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- The match-score model in production: score distribution and the observed right-swipe rate
-- per score decile of each month (empty until the model has scored swipes).
with scored as (
    select swipe_month, match_score, is_right_swipe,
           ntile(10) over (partition by swipe_month order by match_score) as score_decile
    from {{ ref('fct_swipes') }}
    where match_score is not null and {{ in_window('swiped_at') }}
)

select
    swipe_month as month,
    score_decile,
    count(*) as swipes,
    min(match_score) as min_score,
    max(match_score) as max_score,
    avg(match_score) as avg_score,
    round(avg(is_right_swipe::int), 4) as observed_right_swipe_rate,
    round((avg(match_score) / 100.0 - avg(is_right_swipe::int))::numeric, 4) as calibration_gap
from scored
group by 1, 2
