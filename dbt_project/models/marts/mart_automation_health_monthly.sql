{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='month', tags=['monthly']) }}
-- Browser automation by board (the posting's source): success rate, failure reasons, retries,
-- run time and step latency.
with queue as (
    select q.*, coalesce(p.source, 'UNKNOWN') as site
    from {{ ref('stg_jobswipe__application_queue') }} as q
    left join {{ ref('stg_jobswipe__job_postings') }} as p on p.job_posting_id = q.job_posting_id
    where {{ in_window('q.created_at') }}
),

steps as (
    select l.queue_id, avg(l.execution_ms) as avg_step_ms, count(*) as steps
    from {{ ref('stg_jobswipe__automation_logs') }} as l
    where l.created_at >= '{{ var("min_date") }}'::timestamp
        and l.created_at < '{{ var("max_date") }}'::timestamp + interval '1 day'
    group by 1
)

select
    q.queue_month as month,
    q.site,
    count(*) as attempts,
    count(*) filter (where q.success) as successes,
    round(avg(q.success::int), 4) as success_rate,
    sum(greatest(q.attempts - 1, 0)) as retries,
    round(avg(q.requires_captcha::int), 4) as captcha_rate,
    count(*) filter (where q.error_type = 'captcha') as failures_captcha,
    count(*) filter (where q.error_type = 'timeout') as failures_timeout,
    count(*) filter (where q.error_type = 'form_changed') as failures_form_changed,
    count(*) filter (where q.error_type = 'login_required') as failures_login_required,
    count(*) filter (where q.error_type is not null and q.error_type not in ('captcha', 'timeout', 'form_changed', 'login_required'))
        as failures_other,
    percentile_cont(0.5) within group (order by q.duration_seconds) as p50_duration_seconds,
    percentile_cont(0.95) within group (order by q.duration_seconds) as p95_duration_seconds,
    avg(s.avg_step_ms) as avg_step_latency_ms
from queue as q
left join steps as s on s.queue_id = q.queue_id
group by 1, 2
