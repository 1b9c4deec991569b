"""Snapshots of the transactional tables as frames, and the model's features built on them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import polars as pl
import psycopg

from models_ml.features import (
    FEATURES,
    TextIndex,
    behaviour_before_each_swipe,
    behaviour_from_history,
    coded_history,
    content_features,
)
from models_ml.history import PriorTotals
from models_ml.ids import ID, ID_COLUMNS
from models_ml.retrieval import TasteState
from models_ml.taste import (
    ATTRIBUTES,
    affinities_before_each_swipe,
    affinities_from_tables,
    collaborative_before_each_swipe,
    collaborative_from_history,
    posting_attributes,
    revealed_before_each_swipe,
    revealed_from_tables,
)
from pipelines.db.bulk import copy_out_frame
from pipelines.db.connection import snapshot_readers
from pipelines.ingest.fields import parse_location
from pipelines.scoring.shards import SHARD_COUNT
from pipelines.settings import get_settings
from pipelines.simulate.vocabulary import CURRENCY_PER_USD
from pipelines.sql_files import read_sql

# The swipes query's columns (sql/swipes.sql), read by COPY: at large scale they are ten million
# rows, which fetchall() would turn into a hundred million Python objects.
SWIPE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "swipe_id": pl.String,
    "user_id": ID,
    "job_posting_id": ID,
    "company_id": ID,
    "at": pl.Datetime("us"),
    "deck_position": pl.Int64,
    "device_type": pl.String,
    "label": pl.Int64,
    "relevance": pl.Int64,
    "unscored": pl.Boolean,
}
# What recommendations read of each swipe (sql/swipes_for_feed.sql): a run with no swipe to
# score reads only these.
FEED_SWIPE_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    name: SWIPE_SCHEMA[name] for name in ("user_id", "job_posting_id", "company_id", "label")
}
# Past any page of a table (the largest block number): the last part of the swipes' read.
LAST_PAGE = 2**32 - 1
# Swipes described per slice (per content_features call) in described_swipes.
CONTENT_SLICE_ROWS = 250_000


def statement(name: str) -> str:
    return read_sql("pipelines.scoring.sql", name)


def read_frame(
    conn: psycopg.Connection, name: str, params: dict[str, object] | None = None
) -> pl.DataFrame:
    with conn.cursor() as cur:
        cur.execute(statement(name), params)
        columns = [d.name for d in cur.description or []]
        return pl.DataFrame(cur.fetchall(), schema=columns, orient="row", infer_schema_length=None)


@dataclass
class Snapshot:
    swipes: pl.DataFrame
    users: pl.DataFrame
    postings: pl.DataFrame

    def text_index(self) -> TextIndex:
        return TextIndex.build(self.users, self.postings)

    def posting_attributes(self, text: TextIndex) -> pl.DataFrame:
        return posting_attributes(self.postings, text.posting_titles)


def has_unscored_swipes(conn: psycopg.Connection, shards: Sequence[int]) -> bool:
    """Whether any swipe the snapshot would read for the users of ``shards`` lacks a score."""
    row = conn.execute(
        statement("swipes_unscored"), {"shards": list(shards), "shard_count": SHARD_COUNT}
    ).fetchone()
    return bool(row and row[0])


def load_snapshot(
    conn: psycopg.Connection, readers: int | None = None, feed_only: bool = False
) -> Snapshot:
    """Every consenting user's swipes, the users and the postings, as of one moment.

    ``feed_only``: each swipe with only what recommendations read (FEED_SWIPE_SCHEMA), for a
    run that scores no swipe.

    The swipes (ten million rows at large scale) are read in ``readers`` parts of the table's
    pages at once (default: the scoring_threads setting), each by its own connection to one
    snapshot ``conn`` exports, with the users and postings beside them: the server's join and
    text output, not the transfer, is the cost, and it runs on one core per connection."""
    parts = readers or get_settings().scoring_threads
    with snapshot_readers(conn, parts + 1) as connections:
        rows = connections[0].execute(statement("swipe_pages")).fetchone()
        pages = int(rows[0]) if rows else 0
        bounds = [pages * i // parts for i in range(parts)] + [LAST_PAGE]

        def part(index: int) -> pl.DataFrame:
            with connections[index].cursor() as cur:
                return copy_out_frame(
                    cur,
                    statement("swipes_for_feed" if feed_only else "swipes"),
                    FEED_SWIPE_SCHEMA if feed_only else SWIPE_SCHEMA,
                    {"from_page": bounds[index], "end_page": bounds[index + 1]},
                )

        with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="snapshot") as pool:
            swipe_parts = [pool.submit(part, i) for i in range(parts)]
            users = read_frame(connections[parts], "users")
            postings = read_frame(connections[parts], "postings")
            # In page order: the order one connection's scan would have given.
            swipes = pl.concat([f.result() for f in swipe_parts])
    users, postings = _with_categorical_ids(users), _with_categorical_ids(postings)
    users = _with_user_coordinates(users).with_columns(
        pl.col("skills").list.eval(pl.element().str.to_lowercase()),
        pl.col("skills").list.join(" ").alias("skills_text"),
    )
    per_usd = pl.col("currency").replace_strict(
        CURRENCY_PER_USD, default=1.0, return_dtype=pl.Float64
    )
    postings = postings.with_columns(
        (pl.col("salary_max_yearly").cast(pl.Float64) / per_usd).alias("salary_max_yearly_usd")
    )
    return Snapshot(swipes=swipes, users=users, postings=postings)


def _with_categorical_ids(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(ID) for c in ID_COLUMNS if c in frame.columns)


def _with_user_coordinates(users: pl.DataFrame) -> pl.DataFrame:
    places = users.select("user_city", "user_country").unique().drop_nulls()
    coordinates = [parse_location(f"{city}, {country}") for city, country in places.iter_rows()]
    lookup = places.with_columns(
        pl.Series("user_latitude", [c.latitude for c in coordinates], dtype=pl.Float64),
        pl.Series("user_longitude", [c.longitude for c in coordinates], dtype=pl.Float64),
    )
    return users.join(lookup, on=["user_city", "user_country"], how="left")


def training_frame(
    snapshot: Snapshot, text: TextIndex | None = None, keep: pl.Expr | None = None
) -> pl.DataFrame:
    """One row per swipe: FEATURES, label, relevance (2 = applied), ids and time.

    ``keep`` selects the swipes to describe (a scoring shard's); the history features still see
    every swipe before each one, and the costlier content features are built for kept rows only.
    """
    return pl.concat(list(described_swipes(snapshot, text, keep)))


def described_swipes(
    snapshot: Snapshot,
    text: TextIndex | None = None,
    keep: pl.Expr | None = None,
    slice_rows: int = CONTENT_SLICE_ROWS,
) -> Iterator[pl.DataFrame]:
    """training_frame's rows, in order, as frames of at most ``slice_rows`` (at least one,
    perhaps empty): a scorer that takes one at a time never holds every swipe's features."""
    swipes = snapshot.swipes
    if swipes.height == 0:
        yield pl.DataFrame(
            schema={**{f: pl.Float64 for f in FEATURES}, "label": pl.Int64, "relevance": pl.Int64}
        )
        return
    text = text or snapshot.text_index()
    prior = float(swipes.get_column("label").to_numpy().mean())
    empty = False
    kept = None
    if keep is not None:
        kept = swipes.select(keep.alias("_keep")).get_column("_keep")
        if not kept.any():  # describe one row and keep none: the same columns, no rows
            empty, kept = True, pl.Series([True] + [False] * (swipes.height - 1))

    def described(frame: pl.DataFrame) -> pl.DataFrame:
        # Each block keeps only the described rows at once: at large scale a block of every
        # swipe is a gigabyte held through the phases after it.
        return frame if kept is None else frame.filter(kept)

    # Only the described swipes' history features are built: the swipes before the first of
    # them are summed per group, not sorted (models_ml/history.py).
    history = PriorTotals.of(coded_history(swipes, snapshot.posting_attributes(text)), kept)
    behaviour = pl.concat(
        [
            behaviour_before_each_swipe(history, prior),
            affinities_before_each_swipe(history, prior),
            revealed_before_each_swipe(history),
        ],
        how="horizontal",
    )
    del history
    behaviour = pl.concat(
        [
            behaviour,
            described(
                collaborative_before_each_swipe(
                    swipes, describe=kept, posting_order=text.posting_ids
                )
            ),
        ],
        how="horizontal",
    )
    swipes = described(swipes)
    # In slices: describing a pair gathers both TF-IDF rows, which for three million swipes at
    # once is gigabytes of sparse rows alive together (docs/benchmarks.md, training memory).
    ids = swipes.select("swipe_id", "user_id", "job_posting_id", "at", "label", "relevance")
    pairs = swipes.select("user_id", "job_posting_id", "at", "deck_position", "device_type")
    for start in range(0, max(swipes.height, 1), slice_rows):
        content = content_features(
            pairs.slice(start, slice_rows), snapshot.users, snapshot.postings, text
        )
        frame = pl.concat(
            [ids.slice(start, slice_rows), content, behaviour.slice(start, slice_rows)],
            how="horizontal",
        )
        yield frame.clear() if empty else frame


def candidate_features(
    snapshot: Snapshot,
    pairs: pl.DataFrame,
    text: TextIndex,
    prior: float,
    now: object,
    taste: TasteState,
    attributes: pl.DataFrame,
) -> pl.DataFrame:
    """Features of pairs nobody has swiped yet, as if shown now at the top of the deck; the
    whole history is their past (``taste`` was built from it)."""
    pairs = (
        pairs.select("user_id", "job_posting_id")
        .join(
            snapshot.postings.select("job_posting_id", "company_id"),
            on="job_posting_id",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            pl.lit(now).cast(pl.Datetime("us")).alias("at"),
            pl.lit(0).alias("deck_position"),
            pl.lit("ios").alias("device_type"),
        )
    )
    content = content_features(
        pairs.select("user_id", "job_posting_id", "at", "deck_position", "device_type"),
        snapshot.users,
        snapshot.postings,
        text,
    )
    behaviour = behaviour_from_history(
        pairs.select("user_id", "job_posting_id", "company_id"), snapshot.swipes, prior
    )
    with_attributes = (
        pairs.select("user_id", "job_posting_id")
        .join(attributes, on="job_posting_id", how="left", maintain_order="left")
        .with_columns(pl.col(list(ATTRIBUTES)).fill_null("unknown"))
    )
    return pl.concat(
        [
            pairs.select("user_id", "job_posting_id"),
            content,
            behaviour,
            affinities_from_tables(with_attributes, taste.affinities),
            revealed_from_tables(with_attributes, taste.revealed),
            collaborative_from_history(pairs, taste.factors, taste.profiles),
        ],
        how="horizontal",
    )
