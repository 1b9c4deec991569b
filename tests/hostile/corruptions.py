"""A corruption generator: each sample feed broken in many ways, each way saying which records
it touched, so that a check can tell that every record it did *not* touch still loads.

Records are the feed's rows (CSV), lines (JSON Lines) or items (JSON documents); corruptions
work on them and re-serialise, so a touched index is exact. ``ALL`` means the corruption takes
the file's structure itself (no header, a scalar document, broken Parquet): a clear file-level
error is then the right outcome, and no record counts as untouched.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipelines.ingest.formats import NotAJobFeedError, UnmappableFeedError
from pipelines.ingest.preview import preview_file

ALL = -1


@dataclass(frozen=True)
class Corrupted:
    name: str
    data: bytes
    touched: frozenset[int]  # 0-based record indices; {ALL} for the file as a whole
    suffix: str = ""


Records = list[list[str]] | list[object]


def _csv_bytes(
    header: list[str], rows: list[list[str]], delimiter: str = ",", newline: str = "\n"
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _text_variants(name: str, text: str) -> Iterator[Corrupted]:
    """Encodings: the same records, other bytes."""
    yield Corrupted(f"{name}:utf8-bom", b"\xef\xbb\xbf" + text.encode("utf-8"), frozenset())
    yield Corrupted(f"{name}:utf16le-bom", b"\xff\xfe" + text.encode("utf-16-le"), frozenset())
    yield Corrupted(f"{name}:utf16be-bom", b"\xfe\xff" + text.encode("utf-16-be"), frozenset())
    yield Corrupted(f"{name}:utf32-bom", text.encode("utf-32"), frozenset())
    legacy = text.encode("cp1252", errors="ignore")
    if legacy.decode("cp1252") == text:  # only feeds that cp1252 can hold
        yield Corrupted(f"{name}:cp1252", legacy, frozenset())
    yield Corrupted(f"{name}:crlf", text.replace("\n", "\r\n").encode("utf-8"), frozenset())


def csv_corruptions(path: Path, rng: random.Random) -> Iterator[Corrupted]:
    text = path.read_text(encoding="utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    header, rows = table[0], table[1:]
    n = len(rows)
    pick = rng.randrange(n)
    later = frozenset(range(pick, n))
    yield from _text_variants(path.name, _csv_bytes(header, rows))
    serialised = _csv_bytes(header, rows[:pick])
    tail = _csv_bytes(header, rows[pick:]).split("\n", 1)[1]
    cut = tail[: max(1, len(tail.split("\n", 1)[0]) // 2)]
    yield Corrupted(f"{path.name}:truncated", (serialised + cut).encode(), later)
    yield Corrupted(f"{path.name}:truncated-at-row", serialised.encode(), later)
    for label, delimiter in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
        yield Corrupted(
            f"{path.name}:{label}", _csv_bytes(header, rows, delimiter).encode(), frozenset()
        )
    order = list(range(n))
    rng.shuffle(order)
    yield Corrupted(
        f"{path.name}:shuffled-rows",
        _csv_bytes(header, [rows[i] for i in order]).encode(),
        frozenset(),
    )
    columns = list(range(len(header)))
    rng.shuffle(columns)
    yield Corrupted(
        f"{path.name}:shuffled-columns",
        _csv_bytes(
            [header[c] for c in columns],
            [[r[c] if c < len(r) else "" for c in columns] for r in rows],
        ).encode(),
        frozenset(),
    )
    yield Corrupted(
        f"{path.name}:duplicated-row", _csv_bytes(header, [*rows, rows[pick]]).encode(), frozenset()
    )
    yield Corrupted(
        f"{path.name}:blank-lines",
        _csv_bytes(header, rows).replace("\n", "\n\n").encode(),
        frozenset(),
    )

    def with_row(change: Callable[[list[str]], list[str]], label: str) -> Corrupted:
        changed = [list(r) for r in rows]
        changed[pick] = change(list(rows[pick]))
        return Corrupted(
            f"{path.name}:{label}", _csv_bytes(header, changed).encode(), frozenset({pick})
        )

    yield with_row(lambda r: [*r, "extra"], "ragged-long")
    yield with_row(lambda r: r[:-1], "ragged-short")
    yield with_row(lambda r: [r[0][:1] + "\x00" + r[0][1:], *r[1:]], "nul-byte")
    yield with_row(lambda r: [c + "\x07\x1b" for c in r], "control-bytes")
    yield with_row(lambda r: [r[0] + "x" * 2_000_000, *r[1:]], "huge-field")
    yield with_row(lambda r: ["inf" if i % 2 else "1e308" for i in range(len(r))], "swapped-types")
    yield with_row(
        lambda r: ["9999-12-31" if "date" in h else c for h, c in zip(header, r, strict=False)],
        "year-9999",
    )
    yield with_row(lambda r: ["<script>alert(1)</script>" + c for c in r], "markup")
    damaged = _csv_bytes(header, rows).encode()
    start = len(_csv_bytes(header, rows[:pick]).encode())
    yield Corrupted(
        f"{path.name}:invalid-utf8-byte",
        damaged[: start + 1] + b"\xff" + damaged[start + 1 :],
        frozenset({pick}),
    )
    quoted = (
        _csv_bytes(header, rows[:pick]) + '"' + _csv_bytes(header, rows[pick:]).split("\n", 1)[1]
    )
    yield Corrupted(f"{path.name}:unbalanced-quote", quoted.encode(), later)
    yield Corrupted(
        f"{path.name}:duplicate-headers",
        _csv_bytes([*header, header[0]], [[*r, "dup"] for r in rows]).encode(),
        frozenset(),
    )
    yield Corrupted(
        f"{path.name}:no-header", _csv_bytes(rows[0], rows[1:]).encode(), frozenset({ALL})
    )
    yield Corrupted(
        f"{path.name}:million-columns",
        ("," * 1_000_000 + "\n").encode() + text.encode(),
        frozenset({ALL}),
    )


def jsonl_corruptions(path: Path, rng: random.Random) -> Iterator[Corrupted]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    n = len(lines)
    pick = rng.randrange(n)
    text = "\n".join(lines) + "\n"
    yield from _text_variants(path.name, text)

    def with_line(new: str, label: str) -> Corrupted:
        changed = list(lines)
        changed[pick] = new
        return Corrupted(
            f"{path.name}:{label}", ("\n".join(changed) + "\n").encode(), frozenset({pick})
        )

    yield with_line(lines[pick][: len(lines[pick]) // 2], "truncated-line")
    yield with_line("[" * 50_000 + "]" * 50_000, "deep-nesting")
    yield with_line("42", "scalar-line")
    yield with_line(lines[pick].replace('"', '"\\u0000', 1), "nul-escape")
    yield with_line(lines[pick].replace('"', '"\\ud800', 1), "lone-surrogate")
    item = json.loads(lines[pick])
    longest = max((k for k, v in item.items() if isinstance(v, str)), key=lambda k: len(item[k]))
    yield with_line(json.dumps({**item, longest: "x" * 2_000_000}), "huge-value")
    yield Corrupted(
        f"{path.name}:truncated",
        text[: len(text) - len(lines[-1]) // 2 - 1].encode(),
        frozenset({n - 1}),
    )
    order = list(range(n))
    rng.shuffle(order)
    yield Corrupted(
        f"{path.name}:shuffled", ("\n".join(lines[i] for i in order) + "\n").encode(), frozenset()
    )
    yield Corrupted(f"{path.name}:duplicated", (text + lines[pick] + "\n").encode(), frozenset())
    yield Corrupted(f"{path.name}:blank-lines", text.replace("\n", "\n\n").encode(), frozenset())
    damaged = text.encode()
    start = len(("\n".join(lines[:pick]) + ("\n" if pick else "")).encode())
    yield Corrupted(
        f"{path.name}:invalid-utf8-byte",
        damaged[: start + 2] + b"\xff" + damaged[start + 2 :],
        frozenset({pick}),
    )
    yield Corrupted(
        f"{path.name}:nul-byte",
        damaged[: start + 2] + b"\x00" + damaged[start + 2 :],
        frozenset({pick}),
    )


def json_corruptions(path: Path, rng: random.Random) -> Iterator[Corrupted]:
    document = json.loads(path.read_text(encoding="utf-8-sig"))
    key = next(
        (
            k
            for k in ("jobs", "data", "results", "items", "postings", "records")
            if isinstance(document, dict) and isinstance(document.get(k), list)
        ),
        None,
    )
    items = document[key] if key else document
    n = len(items)
    pick = rng.randrange(n)

    def dump(new_items: list[object]) -> str:
        return json.dumps(
            {**document, key: new_items} if key else new_items, indent=2, ensure_ascii=False
        )

    text = dump(items)
    yield from _text_variants(path.name, text)
    prefix = dump(items[:pick])
    # Truncation inside item `pick`: everything before it is still readable.
    opened = dump([*items[:pick], items[pick]])
    marker = opened.rfind(
        json.dumps(items[pick], indent=2, ensure_ascii=False).splitlines()[1].strip()
    )
    yield Corrupted(
        f"{path.name}:truncated", opened[: marker + 5].encode(), frozenset(range(pick, n))
    )
    yield Corrupted(
        f"{path.name}:missing-close",
        text.rstrip().rstrip("}").rstrip().rstrip("]").encode(),
        frozenset(),
    )
    yield Corrupted(f"{path.name}:scalar", b"42", frozenset({ALL}))
    yield Corrupted(f"{path.name}:deep", ("[" * 100_000 + "]" * 100_000).encode(), frozenset({ALL}))
    changed = list(items)
    changed[pick] = "not a record"
    yield Corrupted(f"{path.name}:string-item", dump(changed).encode(), frozenset({pick}))
    changed = list(items)
    changed[pick] = (
        {k: ([[[[v]]]] if isinstance(v, str) else v) for k, v in items[pick].items()}
        if isinstance(items[pick], dict)
        else items[pick]
    )
    yield Corrupted(f"{path.name}:nested-values", dump(changed).encode(), frozenset({pick}))
    yield Corrupted(f"{path.name}:duplicated", dump([*items, items[pick]]).encode(), frozenset())
    order = list(range(n))
    rng.shuffle(order)
    yield Corrupted(f"{path.name}:shuffled", dump([items[i] for i in order]).encode(), frozenset())
    yield Corrupted(
        f"{path.name}:nul-escape", text.replace('"', '"\\u0000', 3).encode(), frozenset(range(n))
    )
    del prefix


def html_corruptions(path: Path, rng: random.Random) -> Iterator[Corrupted]:
    text = path.read_text(encoding="utf-8-sig")
    yield from _text_variants(path.name, text)
    yield Corrupted(f"{path.name}:truncated", text[: len(text) // 3].encode(), frozenset({ALL}))
    yield Corrupted(f"{path.name}:nul-byte", text.replace("<", "<\x00", 1).encode(), frozenset())


def binary_corruptions(path: Path, rng: random.Random) -> Iterator[Corrupted]:
    data = path.read_bytes()
    yield Corrupted(f"{path.name}:truncated", data[: len(data) // 2], frozenset({ALL}))
    middle = len(data) // 2
    yield Corrupted(
        f"{path.name}:flipped",
        data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 64]) + data[middle + 64 :],
        frozenset({ALL}),
    )
    yield Corrupted(f"{path.name}:empty", b"", frozenset({ALL}))


def corruptions(path: Path, seed: int = 0) -> Iterator[Corrupted]:
    rng = random.Random(f"{path.name}:{seed}")
    suffix = path.suffix
    makers = {
        ".csv": csv_corruptions,
        ".jsonl": jsonl_corruptions,
        ".json": json_corruptions,
        ".html": html_corruptions,
        ".parquet": binary_corruptions,
    }
    for corrupted in makers[suffix](path, rng):
        yield Corrupted(corrupted.name, corrupted.data, corrupted.touched, suffix)
    yield Corrupted(f"{path.name}:random-binary", rng.randbytes(4096), frozenset({ALL}), suffix)


def identities(frame: pl.DataFrame) -> set[tuple[object, ...]]:
    return set(frame.select("title", "company_name", "location").iter_rows())


@dataclass
class Outcome:
    name: str
    status: str  # "loaded" or "refused"
    crashed: str | None
    untouched_expected: int
    untouched_lost: int
    message: str = ""


def clean_records(path: Path) -> dict[int, tuple[object, ...]]:
    """Record index (0-based) -> identity, for the records the intact feed loads."""
    preview = preview_file(
        path,
        path.with_name(path.name + ".mapping.json")
        if path.with_name(path.name + ".mapping.json").exists()
        else None,
    )
    return {
        record - 1: tuple(identity)
        for record, *identity in preview.postings.select(
            "record", "title", "company_name", "location"
        ).iter_rows()
    }


def try_corruption(
    original: Path, corrupted: Corrupted, workdir: Path, clean: dict[int, tuple[object, ...]]
) -> Outcome:
    """Read one corrupted file as ingest would; judge it against the intact feed."""
    target = workdir / (original.stem + corrupted.suffix)
    target.write_bytes(corrupted.data)
    mapping = original.with_name(original.name + ".mapping.json")
    if mapping.exists():
        target.with_name(target.name + ".mapping.json").write_bytes(mapping.read_bytes())
    expected = (
        set()
        if ALL in corrupted.touched
        else {identity for index, identity in clean.items() if index not in corrupted.touched}
    )
    try:
        preview = preview_file(target)
    except (NotAJobFeedError, UnmappableFeedError) as exc:
        lost = len(expected)
        return Outcome(corrupted.name, "refused", None, len(expected), lost, str(exc))
    except Exception as exc:  # the figure we want to be zero
        return Outcome(
            corrupted.name, "crashed", f"{type(exc).__name__}: {exc}", len(expected), len(expected)
        )
    finally:
        target.unlink(missing_ok=True)
    lost = len(expected - identities(preview.postings))
    return Outcome(corrupted.name, "loaded", None, len(expected), lost)
