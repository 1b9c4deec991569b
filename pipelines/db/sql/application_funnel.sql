-- The application funnel mart, month by month, in stage order (jobswipe funnel).
SELECT month, swipes, right_swipes, queued, applied, viewed, interviews, offers, accepted
  FROM marts.mart_application_funnel_monthly
 ORDER BY month
