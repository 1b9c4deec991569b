ALTER TABLE recommendations
  DROP CONSTRAINT recommendations_user_id_rank_key,
  ADD CONSTRAINT recommendations_user_id_rank_key UNIQUE (user_id, rank);
