select
    user_id,
    job_posting_id,
    first_recommended_at,
    date_trunc('month', first_recommended_at)::date as first_recommended_month,
    model_version,
    best_rank
from {{ source('jobswipe', 'recommendation_history') }}
where {{ has_data_consent('user_id') }}
