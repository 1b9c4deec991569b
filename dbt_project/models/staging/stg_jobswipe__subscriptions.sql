select
    id as subscription_id,
    user_id,
    plan::text as plan,
    status::text as status,
    monthly_applications as monthly_application_limit,
    current_period_start,
    current_period_end,
    trial_used,
    created_at,
    updated_at
from {{ source('jobswipe', 'subscriptions') }}
where {{ has_data_consent('user_id') }}
