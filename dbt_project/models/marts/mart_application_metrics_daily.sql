{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- The seed's application_metrics view, kept for every day rather than the last 30.
select
    created_at::date as date,
    date_trunc('month', created_at::date)::date as month,
    count(*) as total_applications,
    count(*) filter (where status = 'APPLIED') as successful_applications,
    avg(extract(epoch from (applied_at - created_at)) / 3600) as avg_time_to_apply_hours,
    count(*) filter (where application_source = 'AUTOMATION') as automated_applications
from {{ ref('fct_applications') }}
where {{ in_window('created_at') }}
group by created_at::date
