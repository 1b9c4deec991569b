-- Accounts, without credentials or contact data. Soft-deleted accounts stay (facts reference
-- them) but are flagged; analysts filter on is_deleted where it matters. Users without data
-- consent (withdrawn, or erased) are left out here and, through has_data_consent(), everywhere.
select
    id as user_id,
    role::text as role,
    status::text as status,
    data_consent as has_data_consent,
    is_deleted,
    created_at as signed_up_at,
    date_trunc('month', created_at)::date as signup_month,
    last_login_at,
    deleted_at
from {{ source('jobswipe', 'users') }}
where {{ has_data_consent('id') }}
