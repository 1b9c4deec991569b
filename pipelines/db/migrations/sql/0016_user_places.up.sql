-- Each user's app events counted per place (city, country), kept as events are stored and
-- removed, so the scoring snapshot finds where each user uses the app from (their most frequent
-- city) in one row per user and place instead of grouping every event ever stored (17M at large
-- scale: 20 s of every refresh, growing with the history; docs/benchmarks.md).
--
-- What the counts follow, so that they always equal a count of the events on disk: events
-- inserted into or deleted from analytics_events through the parent table (retention's partly
-- expired rows included); an event's user, city or country changed (row by row, which includes
-- the user's deletion setting user_id to NULL; the user's rows here go by the foreign key);
-- a partition that retention detaches and drops (run_retention calls forget_partition_places
-- first: the counts must not outlive the events they come from); TRUNCATE empties the table.
-- Rows ensure_time_partitions moves out of the default partition stay counted: it deletes them
-- from the partition itself and inserts them into the new one, and neither statement reaches the
-- parent's triggers. An anonymised user's events keep their city (anonymize_user clears the
-- network identifiers only), so their counts stay too.
CREATE TABLE user_places (
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  city VARCHAR(100) NOT NULL,
  country VARCHAR(2),
  events BIGINT NOT NULL CHECK (events > 0),
  CONSTRAINT user_places_key UNIQUE NULLS NOT DISTINCT (user_id, city, country)
);

-- The statement that adds (sign 1) or takes away (sign -1) the events of a relation, per user
-- and place: a trigger's transition table, or a partition about to be dropped. A place whose
-- count reaches zero goes. Rows are written in key order, so two statements touching the same
-- users lock them in one order and cannot deadlock.
CREATE FUNCTION user_places_delta(source text, sign int) RETURNS text
  LANGUAGE sql IMMUTABLE AS $fn$
  SELECT format($q$
    WITH delta AS (
      SELECT user_id, city, country, count(*) AS events FROM %1$s
       WHERE user_id IS NOT NULL AND city IS NOT NULL
       GROUP BY user_id, city, country ORDER BY user_id, city, country
    )%2$s$q$, source, CASE WHEN sign > 0 THEN $q$
    INSERT INTO user_places AS p (user_id, city, country, events)
    SELECT user_id, city, country, events FROM delta
    ON CONFLICT (user_id, city, country) DO UPDATE SET events = p.events + excluded.events$q$
  ELSE $q$, lowered AS (
      UPDATE user_places p SET events = p.events - delta.events
        FROM delta
       WHERE p.user_id = delta.user_id AND p.city = delta.city
         AND p.country IS NOT DISTINCT FROM delta.country AND p.events > delta.events
    )
    DELETE FROM user_places p
     USING delta
     WHERE p.user_id = delta.user_id AND p.city = delta.city
       AND p.country IS NOT DISTINCT FROM delta.country AND p.events <= delta.events$q$ END)
$fn$;

-- SECURITY DEFINER: the app's role writes events, not this table. The transition table is
-- visible to the dynamic statement: it runs in the trigger's own SPI connection.
CREATE FUNCTION count_user_places() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE user_places_delta('changed', CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);
  RETURN NULL;
END
$$;

-- An event moved to another user or place: its old place taken away and its new one added.
-- Row-level and limited to those columns, so the other updates of events never call it.
CREATE FUNCTION recount_moved_place() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF OLD.user_id IS NOT NULL AND OLD.city IS NOT NULL THEN
    UPDATE user_places SET events = events - 1
     WHERE user_id = OLD.user_id AND city = OLD.city AND country IS NOT DISTINCT FROM OLD.country
       AND events > 1;
    IF NOT FOUND THEN
      DELETE FROM user_places
       WHERE user_id = OLD.user_id AND city = OLD.city AND country IS NOT DISTINCT FROM OLD.country;
    END IF;
  END IF;
  IF NEW.user_id IS NOT NULL AND NEW.city IS NOT NULL THEN
    INSERT INTO user_places AS p (user_id, city, country, events)
    VALUES (NEW.user_id, NEW.city, NEW.country, 1)
    ON CONFLICT (user_id, city, country) DO UPDATE SET events = p.events + 1;
  END IF;
  RETURN NULL;
END
$$;

-- Retention drops whole partitions, which no trigger sees: it calls this first.
CREATE FUNCTION forget_partition_places(partition regclass) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE user_places_delta(partition::text, -1);
END
$$;

CREATE FUNCTION empty_user_places() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM user_places;
  RETURN NULL;
END
$$;

-- On the partitioned parent: its transition tables gather the rows of every partition a
-- statement on the parent reaches (a statement on one partition itself is not counted). The
-- row-level trigger is cloned onto each partition, so the foreign key's SET NULL, which updates
-- a partition directly, reaches it.
CREATE TRIGGER analytics_events_places_insert AFTER INSERT ON analytics_events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_user_places();
CREATE TRIGGER analytics_events_places_delete AFTER DELETE ON analytics_events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_user_places();
CREATE TRIGGER analytics_events_places_move AFTER UPDATE OF user_id, city, country ON analytics_events
  FOR EACH ROW WHEN (OLD.user_id IS DISTINCT FROM NEW.user_id OR OLD.city IS DISTINCT FROM NEW.city
                     OR OLD.country IS DISTINCT FROM NEW.country)
  EXECUTE FUNCTION recount_moved_place();
CREATE TRIGGER analytics_events_places_truncate AFTER TRUNCATE ON analytics_events
  FOR EACH STATEMENT EXECUTE FUNCTION empty_user_places();

-- The counts so far, from the events (the last full count this table ever needs), by the
-- triggers' own statement.
DO $$
BEGIN
  EXECUTE user_places_delta('analytics_events', 1);
END
$$;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobswipe_pipeline') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON user_places TO jobswipe_pipeline;
    GRANT EXECUTE ON FUNCTION forget_partition_places(regclass) TO jobswipe_pipeline;
  END IF;
END
$$;
