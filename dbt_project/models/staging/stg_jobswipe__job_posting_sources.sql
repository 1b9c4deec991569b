select
    job_posting_id,
    source::text as source,
    external_key,
    is_primary,
    first_seen_at,
    last_seen_at
from {{ source('jobswipe', 'job_posting_sources') }}
