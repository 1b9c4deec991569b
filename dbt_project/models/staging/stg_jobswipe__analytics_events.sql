-- Events without network identifiers (IP address, user agent).
select
    id as event_id,
    user_id,
    event_type,
    event_category,
    event_name,
    session_id,
    device_type,
    platform,
    country,
    revenue,
    currency,
    properties ->> 'job_posting_id' as job_posting_id,
    properties ->> 'plan' as plan,
    -- The seed names the column "timestamp", a type name: quoted, whatever the linter prefers.
    "timestamp" as occurred_at,  -- noqa: RF06
    date_trunc('month', "timestamp")::date as event_month  -- noqa: RF06
from {{ source('jobswipe', 'analytics_events') }}
where {{ has_data_consent('user_id') }}
