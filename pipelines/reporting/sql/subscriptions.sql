-- MRR, paying subscribers and churn per month and plan.
SELECT month, plan, paying_subscribers, mrr, churned
  FROM marts.mart_subscriptions_monthly
 ORDER BY month, plan
