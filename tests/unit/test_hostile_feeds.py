"""Hostile input: every reader, parser and normaliser, on files real exports and scrapers make."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.ingest import fields as f
from pipelines.ingest.formats import NotAJobFeedError, UnmappableFeedError
from pipelines.ingest.preview import preview_file
from tests.hostile.corruptions import ALL, clean_records, corruptions, try_corruption

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
SAMPLES = sorted(p for p in FEEDS.iterdir() if p.is_file() and not p.name.endswith(".mapping.json"))
ACCENTED = (
    "title,company,location,salary\n"
    'Ingénieur données,Société Générale,"Paris, France",€55.000\n'
    'Café manager,Crème Brûlée Ltd,"Málaga, Spain",€30.000\n'
    'Designer,Ñandú SA,"São Paulo, Brazil",\n'
)


def rows_of(path: Path) -> list[tuple[object, ...]]:
    preview = preview_file(path)
    return sorted(preview.postings.select("title", "company_name", "location").iter_rows())


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_every_corruption_keeps_the_untouched_records(sample: Path, tmp_path: Path) -> None:
    clean = clean_records(sample)
    assert clean, "the intact sample loads"
    outcomes = [try_corruption(sample, c, tmp_path, clean) for c in corruptions(sample)]
    assert len(outcomes) >= (3 if sample.suffix == ".parquet" else 8)
    assert [o.name for o in outcomes if o.crashed] == []
    assert [(o.name, o.untouched_lost) for o in outcomes if o.untouched_lost] == []


def test_at_least_twenty_ways_to_break_a_csv() -> None:
    made = list(corruptions(FEEDS / "glassdoor_dataset.csv"))
    assert len({c.name for c in made}) >= 20
    assert any(ALL in c.touched for c in made) and any(not c.touched for c in made)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "utf-16-le-bom", "utf-16-be-bom", "utf-32", "cp1252"]
)
def test_the_same_feed_in_every_encoding_loads_identical_rows(
    tmp_path: Path, encoding: str
) -> None:
    reference = tmp_path / "reference.csv"
    reference.write_text(ACCENTED, encoding="utf-8")
    boms = {
        "utf-16-le-bom": (b"\xff\xfe", "utf-16-le"),
        "utf-16-be-bom": (b"\xfe\xff", "utf-16-be"),
    }
    bom, codec = boms.get(encoding, (b"", encoding))
    other = tmp_path / f"{encoding}.csv"
    other.write_bytes(bom + ACCENTED.encode(codec))
    assert rows_of(other) == rows_of(reference)
    stored = {value for row in rows_of(other) for value in row if isinstance(value, str)}
    assert "Société Générale" in stored and not any("\ufffd" in v for v in stored)


def test_semicolons_with_decimal_commas_and_tabs(tmp_path: Path) -> None:
    semicolon = tmp_path / "eu.csv"
    semicolon.write_text(
        "Titel;Company;Location;Min Salary;Max Salary\n"
        "Data Analyst;Acme GmbH;Berlin, Germany;55.000,50;65.000,00\n"
        "Chef;Globex;Munich, Germany;3.200,00;3.900,00\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "eu.csv.mapping.json"
    mapping.write_text(json.dumps({"columns": {"title": "Titel"}}))
    preview = preview_file(semicolon)
    assert preview.postings.sort("title").select("salary_min", "salary_max").rows() == [
        (3200, 3900),
        (55000, 65000),  # 55.000,50 is 55000.5: rounded half to even
    ]
    tab = tmp_path / "jobs.tsv"
    tab.write_text(
        "title\tcompany\tlocation\nData Analyst\tAcme\tBerlin, Germany\n", encoding="utf-8"
    )
    pipe = tmp_path / "jobs.txt"
    pipe.write_text("title|company|location\nData Analyst|Acme|Berlin, Germany\n", encoding="utf-8")
    assert rows_of(tab) == rows_of(pipe) == [("Data Analyst", "Acme", "Berlin, Germany")]


def test_spreadsheets_sheet_by_sheet_below_a_title_row(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "recruiter.xlsx"
    book = xlsxwriter.Workbook(str(path))
    first = book.add_worksheet("Open roles")
    first.write_row(0, 0, ["Open roles, November export"])
    first.write_row(2, 0, ["Job Title", "Company Name", "Location", "Salary"])
    first.write_row(3, 0, ["Data Analyst", "Acme", "Berlin, Germany", "€55,000"])
    first.write_row(4, 0, ["Chef", "Globex", "Austin, TX", 48000])
    notes = book.add_worksheet("Notes")
    notes.write(0, 0, "nothing to see")
    more = book.add_worksheet("More roles")
    more.write_row(0, 0, ["title", "company"])
    more.write_row(1, 0, ["Nurse", "Initech Health"])
    book.close()
    preview = preview_file(path)
    assert preview.format == "spreadsheet"
    assert sorted(preview.postings.select("title", "company_name").rows()) == [
        ("Chef", "Globex"),
        ("Data Analyst", "Acme"),
        ("Nurse", "Initech Health"),
    ]
    assert any("Notes" in note for note in preview.notes)
    assert preview.postings.filter(pl.col("title") == "Chef")["salary_min"].to_list() == [48000]


def test_a_nul_byte_costs_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"title,company\nData\x00 Analyst,Acme\nChef,Globex\n")
    assert rows_of(path) == [("Chef", "Globex", None), ("Data Analyst", "Acme", None)]


@pytest.mark.parametrize(
    ("salary", "reason"),
    [
        ("inf", "finite"),
        ("nan", None),
        ("1e308", "implausible"),
        ("-5", "negative"),
        ("abc", "not a number"),
    ],
)
def test_bad_values_cost_one_record(tmp_path: Path, salary: str, reason: str | None) -> None:
    path = tmp_path / "values.csv"
    path.write_text(
        f"title,company,min_salary,date_posted\nBad,Acme,{salary},2026-01-02\nGood,Globex,50000,2026-01-02\n",
        encoding="utf-8",
    )
    preview = preview_file(path)
    assert "Good" in preview.postings["title"].to_list()
    if reason:
        assert reason in preview.rejects["reason"].item()
    else:
        assert preview.postings.height == 2


@pytest.mark.parametrize(
    "date", ["0000-01-01", "1900-01-01", "9999-12-31", "2026-02-30", "99999999999999"]
)
def test_impossible_dates_cost_one_record(tmp_path: Path, date: str) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        f"title,company,date_posted\nBad,Acme,{date}\nGood,Globex,2026-01-02\n", encoding="utf-8"
    )
    preview = preview_file(path)
    assert preview.postings["title"].to_list() == ["Good"]
    assert preview.rejects["field"].to_list() == ["date_posted"]


def test_oversized_values_are_quarantined_with_their_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    lines = [
        {"title": "x" * 100_000, "company": "Acme"},
        {"title": "Writer", "company": "Acme", "description": "y" * 10_000_000},
        {"title": "Chef", "company": "Globex"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    preview = preview_file(path)
    assert preview.postings["title"].to_list() == ["Chef"]
    reasons = preview.rejects.sort("record")["reason"].to_list()
    assert "limit" in reasons[0] and "limit" in reasons[1]
    stored = preview.rejects["raw_record"].str.len_bytes().max()
    assert isinstance(stored, int) and stored < 100_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"   \n\n", "whitespace"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "binary"),
        (b'{"count": 42}', "JSON without a list of job records"),
        (b"42", "not CSV"),
        (b"[" * 100_000 + b"]" * 100_000, "no list|nested"),
        (b"," * 1_000_000 + b"\ntitle,company\n", "columns"),
    ],
)
def test_unreadable_files_get_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.dat"
    path.write_bytes(content)
    with pytest.raises(NotAJobFeedError, match=message) as raised:
        preview_file(path)
    assert str(raised.value).startswith("bad.dat: ") and "\n" not in str(raised.value)


def test_truncated_json_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    records = [{"title": f"Role {i}", "company": "Acme"} for i in range(5)]
    text = json.dumps({"jobs": records})
    path.write_text(text[: text.index("Role 4") + 3], encoding="utf-8")
    preview = preview_file(path)
    assert preview.postings.height == 4
    assert "line" in preview.rejects["reason"].item()


def test_ragged_rows_and_unbalanced_quotes(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text('title,company\nA,Acme\nB,Acme,extra\nC\nD,Acme\n"E,Acme\n', encoding="utf-8")
    preview = preview_file(path)
    assert preview.postings["title"].to_list() == ["A", "D"]
    assert preview.rejects["record"].to_list() == [2, 3, 5]


# --------------------------------------------------------------------- property-based

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.text(max_size=60))
def test_salary_text_parses_or_names_the_field(text: str) -> None:
    try:
        salary = f.parse_salary_text(text)
    except f.FieldError as exc:
        assert exc.field in ("salary", "currency")
        return
    for amount in (salary.minimum, salary.maximum):
        assert amount is None or 0 <= amount <= 1e12


@SETTINGS
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=True)))
def test_timestamps_parse_or_name_the_field(value: object) -> None:
    try:
        f.parse_timestamp(value)
    except f.FieldError as exc:
        assert exc.field == "date_posted"


@SETTINGS
@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=10)))
def test_places_never_fail(text: str, country: str | None) -> None:
    place = f.parse_location(text, country)
    assert place.country is None or len(place.country) == 2


@SETTINGS
@given(st.text(max_size=80))
def test_names_and_titles_are_plain_clean_text(text: str) -> None:
    for cleaned in (f.clean_company_name(text), f.clean_title(text)):
        assert cleaned is None or (cleaned == cleaned.strip() and "\n" not in cleaned)
    assert f.company_key(text)


@SETTINGS
@given(st.lists(st.lists(st.text(max_size=12), min_size=1, max_size=5), min_size=1, max_size=8))
def test_any_csv_either_loads_or_is_refused_clearly(table: list[list[str]]) -> None:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows([["title", "company", "salary"], *table])
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "any.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        try:
            preview = preview_file(path)
        except (NotAJobFeedError, UnmappableFeedError) as exc:
            assert str(exc).startswith("any.csv: ")
            return
        if any(cell.strip() for row in table for cell in row):
            assert preview.postings.height + preview.rejects.height >= 1


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes_either_load_or_are_refused_clearly(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "any.bin"
        path.write_bytes(data)
        try:
            preview_file(path)
        except (NotAJobFeedError, UnmappableFeedError) as exc:
            assert str(exc).startswith("any.bin: ")
