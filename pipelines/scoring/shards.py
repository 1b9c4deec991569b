"""User shards: the unit scoring and recommendations scale out by (one Dagster partition each).

A user's shard is the last 32 bits of their UUID modulo the shard count: uniform for random
(v4) UUIDs, stable forever, and computed the same way by PostgreSQL's ``user_shard(uuid, int)``
(migration 0009), so a shard's rows can be deleted in SQL and selected in Python alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

SHARD_COUNT = 16


def shard_keys(count: int = SHARD_COUNT) -> list[str]:
    """Partition keys "00", "01", ... in order, so a key range is a contiguous run of shards."""
    return [f"{index:02d}" for index in range(count)]


def shard_of(user_id: str, count: int = SHARD_COUNT) -> int:
    return int(user_id.replace("-", "")[-8:], 16) % count


def shard_expression(column: str = "user_id", count: int = SHARD_COUNT) -> pl.Expr:
    """``shard_of`` as a polars expression over a column of UUID strings."""
    text = pl.col(column).cast(pl.String)  # snapshot ids are categorical
    return (text.str.slice(-8).str.to_integer(base=16) % count).cast(pl.Int32)


def parse_shard_keys(keys: Iterable[str], count: int = SHARD_COUNT) -> list[int]:
    shards = sorted({int(key) for key in keys})
    if not shards or shards[0] < 0 or shards[-1] >= count:
        raise ValueError(f"shards must lie in 0..{count - 1}, got {shards}")
    return shards


def split_into_ranges(count: int, parts: int) -> list[tuple[str, str]]:
    """``parts`` contiguous (first, last) key ranges covering every shard, for parallel runs."""
    keys = shard_keys(count)
    parts = max(1, min(parts, count))
    bounds = [round(i * count / parts) for i in range(parts + 1)]
    return [(keys[bounds[i]], keys[bounds[i + 1] - 1]) for i in range(parts)]


def covers_all(shards: Sequence[int], count: int = SHARD_COUNT) -> bool:
    return sorted(set(shards)) == list(range(count))
