select
    id as swipe_id,
    user_id,
    job_posting_id,
    direction::text as direction,
    direction in ('RIGHT', 'SUPER_LIKE') as is_right_swipe,
    direction = 'SUPER_LIKE' as is_super_like,
    device_type,
    session_id,
    position as deck_position,
    time_spent as time_spent_seconds,
    match_score,
    confidence as match_confidence,
    is_correct_match,
    created_at as swiped_at,
    date_trunc('month', created_at)::date as swipe_month
from {{ source('jobswipe', 'user_job_swipes') }}
where {{ has_data_consent('user_id') }}
