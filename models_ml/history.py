"""Totals over the swipes before each swipe, computed for the swipes being described only.

Every history feature of a swipe (its user's, posting's, company's and user x attribute's
swipes and right swipes before it, the pay and level of what the user liked) is a sum over the
earlier swipes of one group. Training describes a sample spread over the whole history, so the
history is sorted by time once and summed cumulatively. Daily rescoring describes the newest
few (a day's fifty thousand swipes against ten million): the swipes before the first described
one are the past of every described swipe, so they are summed per group by a group-by, with no
sort, and only the swipes from the first described one on are sorted and summed cumulatively.
The two sums are added per group. Both ways give the same totals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

# Time order of the history: a tie in time is broken by the swipe id.
ORDER: tuple[str, str] = ("at", "swipe_id")


@dataclass
class PriorTotals:
    """A history split at the first described swipe.

    ``recent``: the swipes from the first described one on, in time order, with their row
    number in the history (``_row``) and whether they are described (``_describe``);
    ``past``: the swipes before it, kept lazy (only ever grouped and summed).
    """

    recent: pl.DataFrame
    past: pl.LazyFrame

    @classmethod
    def of(cls, history: pl.DataFrame, describe: pl.Series | None = None) -> PriorTotals:
        """``history`` has at and swipe_id (any order); ``describe`` marks the rows wanted (all
        of them without it)."""
        wanted = pl.lit(True) if describe is None else pl.lit(pl.Series(describe))
        frame = history.with_row_index("_row").with_columns(wanted.alias("_describe"))
        if describe is None:
            # Every row is recent: nothing keeps the unsorted copy alive beside the sorted one
            # (at large scale each is most of a gigabyte).
            empty = frame.clear().lazy().drop("_row", "_describe")
            return cls(recent=frame.sort(list(ORDER)), past=empty)
        cut: pl.Expr
        if not describe.any():
            cut = pl.lit(False)
        else:
            first = frame.filter(pl.col("_describe")).select(
                pl.col("at").min().alias("t"),
                pl.col("swipe_id").filter(pl.col("at") == pl.col("at").min()).min().alias("s"),
            )
            at, swipe = first.row(0)
            cut = (pl.col("at") > at) | ((pl.col("at") == at) & (pl.col("swipe_id") >= swipe))
        recent = frame.filter(cut).sort(list(ORDER))
        past = frame.lazy().filter(~cut).drop("_row", "_describe")
        return cls(recent=recent, past=past)

    def before(self, keys: list[str], sums: Mapping[str, pl.Expr]) -> pl.DataFrame:
        """Per row of ``recent`` (same order): ``{name}_count``, the swipes of the same ``keys``
        before it, and for each of ``sums`` (name: a per-row value) its sum over them."""
        running = self.recent.select(
            *keys,
            pl.int_range(pl.len(), dtype=pl.Int64).over(keys).alias("count"),
            *((value.cum_sum().over(keys) - value).alias(name) for name, value in sums.items()),
        )
        names = ["count", *sums]
        past = (
            self.past.group_by(keys)
            .agg(
                pl.len().cast(pl.Int64).alias("count"),
                *(value.sum().alias(name) for name, value in sums.items()),
            )
            .collect()
        )
        if past.height == 0:
            return running.select(names)
        joined = running.join(past, on=keys, how="left", maintain_order="left", suffix="_past")
        return joined.select((pl.col(n) + pl.col(f"{n}_past").fill_null(0)).alias(n) for n in names)

    def described(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` (one row per row of ``recent``) cut to the described rows, in history order."""
        return (
            pl.concat([frame, self.recent.select("_row", "_describe")], how="horizontal")
            .filter(pl.col("_describe"))
            .sort("_row")
            .drop("_row", "_describe")
        )
