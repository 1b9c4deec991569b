-- The daily application metrics account for every application fact, day by day.
select f.created_at::date as date, count(*) as fact_applications, max(d.total_applications) as mart_applications
from {{ ref('fct_applications') }} as f
left join {{ ref('mart_application_metrics_daily') }} as d on d.date = f.created_at::date
group by f.created_at::date
having count(*) is distinct from max(d.total_applications)
