"""`jobswipe ingest` as a user runs it: one line per problem file, no traceback, and a non-zero
exit only when a file could not be read at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from pipelines.db.connection import DatabaseTarget

JOBSWIPE = Path(sys.executable).with_name("jobswipe")


def run_ingest(target: DatabaseTarget, *paths: Path) -> subprocess.CompletedProcess[str]:
    url = f"postgresql://{target.user}@{target.host}:{target.port}/{target.database}"
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200"}
    return subprocess.run(
        [str(JOBSWIPE), "ingest", *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_problem_files_get_one_line_each_and_the_rest_load(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    landing.mkdir()
    (landing / "a_good.csv").write_text("title,company\nData Analyst,Acme\n", encoding="utf-8")
    (landing / "b_bad_rows.csv").write_text(
        "title,company,min_salary\nChef,Globex,inf\nBaker,Globex,30000\nX,Y,1,2\n", encoding="utf-8"
    )
    (landing / "c_binary.bin").write_bytes(bytes(range(256)) * 64)
    (landing / "d_utf16.csv").write_bytes("title,company\nIngénieur,Société\n".encode("utf-16"))
    completed = run_ingest(migrated_db, landing)
    output = completed.stdout + completed.stderr
    assert "Traceback" not in output
    assert completed.returncode == 1  # c_binary.bin could not be read at all
    assert sum("c_binary.bin:" in line for line in output.splitlines()) == 1
    assert "b_bad_rows.csv: 2 records quarantined" in output
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        titles = {row[0] for row in conn.execute("SELECT title FROM job_postings")}
    assert titles == {"Data Analyst", "Baker", "Ingénieur"}

    readable_only = run_ingest(migrated_db, landing / "a_good.csv", landing / "b_bad_rows.csv")
    assert readable_only.returncode == 0, readable_only.stdout + readable_only.stderr


def test_reject_listings_written_as_csv_never_carry_a_formula(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    import csv

    feed = tmp_path / "formulas.csv"
    feed.write_text(
        'title,company,min_salary\n"=HYPERLINK(""http://x"")",Acme,abc\n+cmd,Globex,inf\n@SUM(A1),Initech,-5\n',
        encoding="utf-8",
    )
    assert run_ingest(migrated_db, feed).returncode == 0
    url = f"postgresql://{migrated_db.user}@{migrated_db.host}:{migrated_db.port}/{migrated_db.database}"
    listing = tmp_path / "rejects.csv"
    completed = subprocess.run(
        [str(JOBSWIPE), "rejects", "--csv", str(listing)],
        env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    rows = list(csv.reader(listing.open(encoding="utf-8")))[1:]
    assert len(rows) == 3
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert any("HYPERLINK" in cell for cell in cells)
