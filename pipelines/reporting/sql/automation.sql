-- Browser-automation health per site over the report's months.
SELECT site, sum(attempts) AS attempts, sum(successes) AS successes,
       sum(successes)::float / nullif(sum(attempts), 0) AS success_rate,
       sum(failures_captcha + failures_timeout + failures_form_changed + failures_login_required + failures_other) AS failures,
       avg(p95_duration_seconds) AS p95_duration_seconds
  FROM marts.mart_automation_health_monthly
 GROUP BY site
 ORDER BY sum(attempts) DESC, site
