"""CSV cells never start a formula."""

from __future__ import annotations

import pytest

from pipelines.exports import safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Data Analyst", "Data Analyst"),
        (None, ""),
        (42, "42"),
    ],
)
def test_formula_starts_are_neutralised(value: object, written: str) -> None:
    assert safe_cell(value) == written
