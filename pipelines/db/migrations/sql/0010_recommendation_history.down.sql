DROP TABLE IF EXISTS recommendation_history;
