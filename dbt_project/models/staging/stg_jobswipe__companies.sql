select
    id as company_id,
    name as company_name,
    slug as company_slug,
    domain as company_domain,
    size::text as company_size,
    industry,
    is_verified,
    quality_score as company_quality_score,
    status::text as company_status
from {{ source('jobswipe', 'companies') }}
