-- Monthly and daily engagement marts are built separately; their swipe totals must agree, and
-- both must agree with the swipe facts.
with monthly as (
    select month, swipes from {{ ref('mart_engagement_monthly') }}
),

daily as (
    select month, sum(swipes) as swipes from {{ ref('mart_engagement_daily') }}
    group by month
),

facts as (
    select swipe_month as month, count(*) as swipes from {{ ref('fct_swipes') }}
    group by swipe_month
)

select d.month, m.swipes as monthly_swipes, d.swipes as daily_swipes, f.swipes as fact_swipes
from daily as d
left join monthly as m on d.month = m.month
left join facts as f on d.month = f.month
where m.swipes is distinct from d.swipes or f.swipes is distinct from d.swipes
