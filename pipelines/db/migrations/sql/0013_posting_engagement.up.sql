-- Each posting's engagement counts, kept as the facts change, so the posting-quality refresh
-- reads one row per posting instead of counting every swipe, application and view ever made
-- (at large scale 10M swipes and 17M events, about 11 s a refresh and growing with the history:
-- docs/benchmarks.md). The counts are statement-level deltas: a bulk load of a million swipes
-- updates each posting's row once, and a swipe updates one row.
--
-- What the counts follow: swipes and applications inserted, deleted (GDPR erasure and account
-- cleanup cascade here) or moved to another posting or direction; job_viewed events inserted
-- into or deleted from analytics_events through the parent table. Rows ensure_time_partitions
-- moves out of the default partition stay counted: it deletes them from the partition itself
-- and inserts them into the new one before attaching it, and neither statement reaches the
-- parent's triggers. A whole partition dropped by retention leaves its views counted too:
-- view_count is the posting's lifetime views, not the views still on disk. TRUNCATE of a table
-- zeroes what it counted.
CREATE TABLE posting_engagement (
  job_posting_id UUID PRIMARY KEY,
  right_swipes BIGINT NOT NULL DEFAULT 0,
  left_swipes BIGINT NOT NULL DEFAULT 0,
  applications BIGINT NOT NULL DEFAULT 0,
  views BIGINT NOT NULL DEFAULT 0
);
-- No foreign key: a posting's deletion cascades to its swipes, whose delete trigger must still
-- be able to write the row; a deleted posting's row is left behind, read by nothing.

-- A job_viewed event's posting id, or NULL when the property is missing or is not a UUID (an
-- event the app sends malformed must still be stored, and counts for no posting).
CREATE FUNCTION viewed_posting_id(event_name text, properties jsonb) RETURNS uuid
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN event_name = 'job_viewed'
               AND properties ->> 'job_posting_id' ~* '^[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}$'
              THEN (properties ->> 'job_posting_id')::uuid END
$$;

-- Adds (sign 1) or takes away (sign -1) the rows of a transition table, per posting. Rows are
-- upserted in posting order, so two statements touching the same postings lock them in one
-- order and cannot deadlock. SECURITY DEFINER: the app's role writes swipes, not this table.
CREATE FUNCTION count_posting_engagement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  sign int := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
BEGIN
  IF TG_TABLE_NAME = 'user_job_swipes' THEN
    INSERT INTO posting_engagement AS e (job_posting_id, right_swipes, left_swipes)
    SELECT job_posting_id, sign * count(*) FILTER (WHERE direction <> 'LEFT'),
           sign * count(*) FILTER (WHERE direction = 'LEFT')
      FROM changed WHERE job_posting_id IS NOT NULL GROUP BY job_posting_id ORDER BY job_posting_id
    ON CONFLICT (job_posting_id) DO UPDATE
       SET right_swipes = e.right_swipes + excluded.right_swipes,
           left_swipes = e.left_swipes + excluded.left_swipes;
  ELSIF TG_TABLE_NAME = 'job_applications' THEN
    INSERT INTO posting_engagement AS e (job_posting_id, applications)
    SELECT job_posting_id, sign * count(*)
      FROM changed WHERE job_posting_id IS NOT NULL GROUP BY job_posting_id ORDER BY job_posting_id
    ON CONFLICT (job_posting_id) DO UPDATE SET applications = e.applications + excluded.applications;
  ELSE
    INSERT INTO posting_engagement AS e (job_posting_id, views)
    SELECT viewed_posting_id(event_name, properties), sign * count(*)
      FROM changed WHERE viewed_posting_id(event_name, properties) IS NOT NULL
     GROUP BY 1 ORDER BY 1
    ON CONFLICT (job_posting_id) DO UPDATE SET views = e.views + excluded.views;
  END IF;
  RETURN NULL;
END
$$;

-- A swipe or application moved to another posting or direction: its old row taken away and its
-- new one added. Row-level and limited to those columns, so the score write-back (millions of
-- rows, none of these columns) never calls it.
CREATE FUNCTION recount_moved_engagement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'user_job_swipes' THEN
    INSERT INTO posting_engagement AS e (job_posting_id, right_swipes, left_swipes)
    SELECT posting, sum(rights), sum(lefts)
      FROM (VALUES (OLD.job_posting_id, -(OLD.direction <> 'LEFT')::int, -(OLD.direction = 'LEFT')::int),
                   (NEW.job_posting_id, (NEW.direction <> 'LEFT')::int, (NEW.direction = 'LEFT')::int))
           AS moved (posting, rights, lefts)
     WHERE posting IS NOT NULL GROUP BY posting ORDER BY posting
    ON CONFLICT (job_posting_id) DO UPDATE
       SET right_swipes = e.right_swipes + excluded.right_swipes,
           left_swipes = e.left_swipes + excluded.left_swipes;
  ELSE
    INSERT INTO posting_engagement AS e (job_posting_id, applications)
    SELECT posting, sum(applications)
      FROM (VALUES (OLD.job_posting_id, -1), (NEW.job_posting_id, 1)) AS moved (posting, applications)
     WHERE posting IS NOT NULL GROUP BY posting ORDER BY posting
    ON CONFLICT (job_posting_id) DO UPDATE SET applications = e.applications + excluded.applications;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION zero_posting_engagement() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'user_job_swipes' THEN
    UPDATE posting_engagement SET right_swipes = 0, left_swipes = 0
     WHERE right_swipes <> 0 OR left_swipes <> 0;
  ELSIF TG_TABLE_NAME = 'job_applications' THEN
    UPDATE posting_engagement SET applications = 0 WHERE applications <> 0;
  ELSE
    UPDATE posting_engagement SET views = 0 WHERE views <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER user_job_swipes_engagement_insert AFTER INSERT ON user_job_swipes
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER user_job_swipes_engagement_delete AFTER DELETE ON user_job_swipes
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER user_job_swipes_engagement_move AFTER UPDATE OF job_posting_id, direction ON user_job_swipes
  FOR EACH ROW WHEN (OLD.job_posting_id IS DISTINCT FROM NEW.job_posting_id OR OLD.direction IS DISTINCT FROM NEW.direction)
  EXECUTE FUNCTION recount_moved_engagement();
CREATE TRIGGER user_job_swipes_engagement_truncate AFTER TRUNCATE ON user_job_swipes
  FOR EACH STATEMENT EXECUTE FUNCTION zero_posting_engagement();

CREATE TRIGGER job_applications_engagement_insert AFTER INSERT ON job_applications
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER job_applications_engagement_delete AFTER DELETE ON job_applications
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER job_applications_engagement_move AFTER UPDATE OF job_posting_id ON job_applications
  FOR EACH ROW WHEN (OLD.job_posting_id IS DISTINCT FROM NEW.job_posting_id)
  EXECUTE FUNCTION recount_moved_engagement();
CREATE TRIGGER job_applications_engagement_truncate AFTER TRUNCATE ON job_applications
  FOR EACH STATEMENT EXECUTE FUNCTION zero_posting_engagement();

-- On the partitioned parent: its transition tables gather the rows of every partition a
-- statement on the parent reaches (a statement on one partition itself is not counted).
CREATE TRIGGER analytics_events_engagement_insert AFTER INSERT ON analytics_events
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER analytics_events_engagement_delete AFTER DELETE ON analytics_events
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_posting_engagement();
CREATE TRIGGER analytics_events_engagement_truncate AFTER TRUNCATE ON analytics_events
  FOR EACH STATEMENT EXECUTE FUNCTION zero_posting_engagement();

-- The counts so far, from the facts (the last full count this table ever needs).
INSERT INTO posting_engagement (job_posting_id, right_swipes, left_swipes, applications, views)
SELECT job_posting_id, sum(right_swipes), sum(left_swipes), sum(applications), sum(views)
  FROM (
    SELECT job_posting_id, count(*) FILTER (WHERE direction <> 'LEFT') AS right_swipes,
           count(*) FILTER (WHERE direction = 'LEFT') AS left_swipes, 0 AS applications, 0 AS views
      FROM user_job_swipes WHERE job_posting_id IS NOT NULL GROUP BY job_posting_id
    UNION ALL
    SELECT job_posting_id, 0, 0, count(*), 0
      FROM job_applications WHERE job_posting_id IS NOT NULL GROUP BY job_posting_id
    UNION ALL
    SELECT viewed_posting_id(event_name, properties), 0, 0, 0, count(*)
      FROM analytics_events WHERE viewed_posting_id(event_name, properties) IS NOT NULL GROUP BY 1
  ) facts
 GROUP BY job_posting_id;

DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'jobswipe_pipeline') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON posting_engagement TO jobswipe_pipeline;
    GRANT EXECUTE ON FUNCTION viewed_posting_id(text, jsonb) TO jobswipe_pipeline;
  END IF;
END
$$;
