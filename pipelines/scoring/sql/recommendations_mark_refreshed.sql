-- The batch's users, whose lists are now this run's.
INSERT INTO refreshed_users (user_id) SELECT DISTINCT user_id FROM fresh_recommendations
