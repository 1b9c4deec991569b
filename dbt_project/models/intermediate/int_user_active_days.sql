-- One row per user and day with any app event: the activity definition DAU, WAU, MAU and
-- retention share. A view; marts filter it to their window, which PostgreSQL pushes down to the
-- monthly partitions of analytics_events.
select distinct
    user_id,
    occurred_at::date as day,
    event_month as month
from {{ ref('stg_jobswipe__analytics_events') }}
where user_id is not null
