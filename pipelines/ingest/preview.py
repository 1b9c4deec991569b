"""A feed read and normalised without a database: what ingest would load and quarantine.

The same readers, parsers and fallbacks as ``load.ingest_file``; used by ``jobswipe ingest
--dry-run``, the hostile-input tests and the reliability benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.ingest.formats import NotAJobFeedError, RereadRobustly, open_feed, read_batches
from pipelines.ingest.normalize import (
    NORMALIZED_SCHEMA,
    REJECT_SCHEMA,
    dedupe_within_batch,
    normalize_batch,
)


@dataclass
class Preview:
    format: str
    postings: pl.DataFrame
    rejects: pl.DataFrame
    notes: list[str] = field(default_factory=list)


def preview_file(
    path: Path, mapping_file: Path | None = None, batch_rows: int = 100_000
) -> Preview:
    """Raises NotAJobFeedError or UnmappableFeedError for a file that cannot be read at all."""
    with open_feed(path, mapping_file) as feed:
        for robust in (False, True):
            feed.robust = robust
            postings, rejects = [], []
            try:
                for raw in read_batches(feed, batch_rows):
                    batch = normalize_batch(raw)
                    postings.append(dedupe_within_batch(batch.postings))
                    rejects.append(batch.rejects)
            except RereadRobustly as exc:
                if robust:
                    raise NotAJobFeedError(f"{path.name}: unreadable CSV: {exc}") from exc
                continue
            break
        return Preview(
            format=feed.format.value,
            postings=pl.concat(postings) if postings else pl.DataFrame(schema=NORMALIZED_SCHEMA),
            rejects=pl.concat(rejects) if rejects else pl.DataFrame(schema=REJECT_SCHEMA),
            notes=list(feed.notes),
        )
