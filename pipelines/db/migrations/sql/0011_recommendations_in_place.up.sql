-- A refresh keeps the rows of pairs still recommended and updates their score and rank, rather
-- than deleting every row and inserting it again (whose foreign-key checks were most of the
-- write: pipelines/scoring/sql/recommendations_*.sql). Reordering a user's list moves ranks
-- between rows, which a non-deferrable unique check refuses half-way through the UPDATE (it
-- checks row by row); a deferrable one, even initially immediate, checks at the end of each
-- statement, as the SQL standard has it, so the reordered list is checked whole.
ALTER TABLE recommendations
  DROP CONSTRAINT recommendations_user_id_rank_key,
  ADD CONSTRAINT recommendations_user_id_rank_key UNIQUE (user_id, rank) DEFERRABLE INITIALLY IMMEDIATE;
