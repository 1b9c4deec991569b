-- Every refresh updates each recommendation it keeps (score, model, generated_at; most keep their
-- rank too). On full pages each update is a new row version on another page plus an entry in
-- both indexes, about four WAL records a row. With room left on its page, an update that keeps
-- the row's rank is a heap-only tuple (HOT): one record, no index entry. Measured on the medium
-- world: 2.5 s -> 1.1-1.3 s and 88 MB -> 15 MB of WAL for an update of every row, and in a
-- refresh after an ingest 63% of the rows keep their rank (docs/benchmarks.md, session 15).
-- Pages written from now on keep half their space free; the rows already stored move there as
-- the next refreshes update them.
ALTER TABLE recommendations SET (fillfactor = 50);
