-- A UUID whose first 48 bits are the Unix time in milliseconds (RFC 9562, version 7), the rest
-- random. New postings get one from the ingest: ids made in one load sort together, so the
-- primary key, the sightings' posting index and every foreign-key probe of a load touch the
-- index's newest pages, where random (version 4) ids touched a page anywhere in it, a cost that
-- grew with the table (docs/benchmarks.md). PostgreSQL 18 has uuidv7(); 15 does not.
CREATE FUNCTION uuid_time_ordered() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
           set_bit(set_bit(
             overlay(uuid_send(gen_random_uuid())
                     PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
                     FROM 1 FOR 6),
             52, 1), 53, 1),
           'hex')::uuid
$$;
