-- Sign-up cohort retention: share of each cohort active N months after signing up.
SELECT cohort_month, months_since_signup, cohort_size, retention_rate
  FROM marts.mart_signup_cohort_retention
 ORDER BY cohort_month, months_since_signup
