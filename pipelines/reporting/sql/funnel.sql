-- The application funnel by swipe month.
SELECT month, swipes, right_swipes, queued, applied, viewed, interviews, offers, accepted
  FROM marts.mart_application_funnel_monthly
 ORDER BY month
