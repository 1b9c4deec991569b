-- Professional profile only: the encrypted personal fields (names, phone, birth date) never
-- leave the transactional schema.
select
    user_id,
    current_title,
    years_of_experience,
    coalesce(cardinality(skills), 0) as skill_count,
    profile_visibility::text as profile_visibility
from {{ source('jobswipe', 'user_profiles') }}
where {{ has_data_consent('user_id') }}
