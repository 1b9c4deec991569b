-- Monthly engagement: MAU, average DAU and WAU, stickiness, right-swipe rate.
SELECT month, mau, avg_dau, avg_wau, stickiness_dau_over_mau, right_swipe_rate
  FROM marts.mart_engagement_monthly
 ORDER BY month
