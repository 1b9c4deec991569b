select
    id as usage_id,
    user_id,
    subscription_id,
    feature::text as feature,
    count as usage_count,
    date as usage_date,
    date_trunc('month', date)::date as usage_month
from {{ source('jobswipe', 'usage_records') }}
where {{ has_data_consent('user_id') }}
