select
    user_id,
    remote_pref::text as remote_preference,
    job_search_radius,
    auto_apply_enabled,
    analytics_consent
from {{ source('jobswipe', 'user_preferences') }}
where {{ has_data_consent('user_id') }}
