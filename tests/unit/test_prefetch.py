"""The ingest's read-ahead: results in order, errors where they happened, no thread left behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from pipelines.ingest.load import prefetched


def test_results_come_in_order() -> None:
    assert list(prefetched(iter(range(50)), lambda x: x * x)) == [x * x for x in range(50)]


def test_an_error_in_the_thread_is_raised_at_its_item() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise ValueError("record 3 is unreadable")

    seen = []
    with pytest.raises(ValueError, match="record 3"):
        for value in prefetched(items(), lambda x: x):
            seen.append(value)
    assert seen == [1, 2]


def test_stopping_early_ends_the_thread() -> None:
    before = threading.active_count()
    results = prefetched(iter(range(10_000)), lambda x: x)
    assert next(results) == 0
    results.close()
    assert threading.active_count() == before
