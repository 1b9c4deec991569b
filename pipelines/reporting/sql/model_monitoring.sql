-- The match model in production: mean score and observed right-swipe rate per score decile
-- (all months pooled), and the feed's recommended postings against the rest.
SELECT score_decile, sum(swipes) AS swipes,
       sum(avg_score * swipes) / nullif(sum(swipes), 0) AS avg_score,
       sum(observed_right_swipe_rate * swipes) / nullif(sum(swipes), 0) AS observed_right_swipe_rate
  FROM marts.mart_model_monitoring_monthly
 GROUP BY score_decile
 ORDER BY score_decile
