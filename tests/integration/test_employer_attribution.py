"""The right employer, always: board domains never identify a company, and dedupe never merges
postings of different employers."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg
import pytest

from pipelines.db.connection import DatabaseTarget
from pipelines.ingest.load import ingest_file
from pipelines.ingest.repair import repair_employer_attribution

EMPLOYERS = [f"{name} {kind}" for name in ("Acme", "Globex", "Initech", "Umbrella", "Hooli",
             "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent") for kind in ("Labs", "Health")]  # fmt: skip
TITLES = ["Software Engineer Intern", "Data Analyst", "Product Manager"]


def rows(target: DatabaseTarget, sql: str, params: dict | None = None) -> list[tuple]:
    with psycopg.connect(**target.libpq_kwargs) as conn:  # type: ignore[arg-type]
        return conn.execute(sql, params or {}).fetchall()


def write_csv(path: Path, header: list[str], records: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(records)
    return path


HEADER = ["title", "company", "company_url", "location"]


def load_rows(target: DatabaseTarget, path: Path, records: list[list[str]]) -> None:
    ingest_file(target, write_csv(path, HEADER, records))


def employer_of_each_posting(target: DatabaseTarget) -> set[tuple[str, str]]:
    return set(
        rows(
            target,
            "SELECT p.title, c.name FROM job_postings p JOIN companies c ON c.id = p.company_id",
        )
    )


def test_listings_export_with_every_url_on_the_board(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    """An aggregator that is on no list: every company_url is https://<board>/c/<Company-Name>."""
    records = [
        [title, employer, f"https://listings.example/c/{employer.replace(' ', '-')}", "Remote"]
        for employer in EMPLOYERS
        for title in TITLES
    ]
    feed = write_csv(
        tmp_path / "listings.csv", ["title", "company", "company_url", "location"], records
    )
    result = ingest_file(migrated_db, feed)
    assert result.rows_loaded == len(records) == len(EMPLOYERS) * len(TITLES)
    expected = {(title, employer) for employer in EMPLOYERS for title in TITLES}
    assert employer_of_each_posting(migrated_db) == expected
    assert rows(migrated_db, "SELECT count(*) FROM job_postings")[0][0] == len(expected)
    assert rows(migrated_db, "SELECT count(*) FROM companies WHERE domain IS NOT NULL")[0][0] == 0


def test_a_domain_naming_many_employers_is_learned_as_a_board(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    """The data rule: URLs that do not spell the employer, but one domain for many employers."""
    records = [
        [title, employer, f"https://jobs-aggregator.example/view/{number}", "Remote"]
        for number, (employer, title) in enumerate((e, t) for e in EMPLOYERS for t in TITLES)
    ]
    header = ["title", "company", "company_url", "location"]
    ingest_file(migrated_db, write_csv(tmp_path / "agg.csv", header, records))
    assert employer_of_each_posting(migrated_db) == {(t, e) for e in EMPLOYERS for t in TITLES}
    assert rows(migrated_db, "SELECT domain FROM board_domains") == [("jobs-aggregator.example",)]
    assert rows(migrated_db, "SELECT count(*) FROM companies WHERE domain IS NOT NULL")[0][0] == 0


def test_a_later_file_from_the_learned_board_with_one_employer(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    first = [
        [t, e, f"https://listings.example/c/{e}", "Remote"] for e in EMPLOYERS[:4] for t in TITLES
    ]
    load_rows(migrated_db, tmp_path / "a.csv", first)
    later = [["Chef", "Brand New Bakery", "https://listings.example/jobs/123", "Remote"]]
    load_rows(migrated_db, tmp_path / "b.csv", later)
    assert ("Chef", "Brand New Bakery") in employer_of_each_posting(migrated_db)
    assert rows(migrated_db, "SELECT count(*) FROM companies WHERE domain IS NOT NULL")[0][0] == 0


BOARD_URLS = {
    "linkedin": "https://www.linkedin.com/company/{slug}",
    "indeed": "https://www.indeed.com/cmp/{slug}",
    "glassdoor": "https://www.glassdoor.com/Overview/Working-at-{slug}-EI_IE12345.htm",
    "simplify": "https://simplify.jobs/c/{slug}",
    "greenhouse": "https://boards.greenhouse.io/{slug}",
    "lever": "https://jobs.lever.co/{slug}",
    "workday": "https://{slug}.wd5.myworkdayjobs.com/en-US/careers",
    "smartrecruiters": "https://jobs.smartrecruiters.com/{slug}",
    "unlisted_single_employer": "https://unlisted-board.example/companies/{slug}",
}


@pytest.mark.parametrize("board", list(BOARD_URLS))
def test_each_board_style_keeps_the_stated_employer(
    migrated_db: DatabaseTarget, tmp_path: Path, board: str
) -> None:
    employers = (
        ["Acme Labs", "Globex Health"] if board != "unlisted_single_employer" else ["Acme Labs"]
    )
    records = [
        [
            "Data Analyst",
            employer,
            BOARD_URLS[board].format(slug=employer.replace(" ", "-").lower()),
            "Berlin, Germany",
        ]
        for employer in employers
    ]
    feed = write_csv(
        tmp_path / f"{board}.csv", ["title", "company", "company_url", "location"], records
    )
    ingest_file(migrated_db, feed)
    assert employer_of_each_posting(migrated_db) == {("Data Analyst", e) for e in employers}
    assert rows(migrated_db, "SELECT count(*) FROM companies WHERE domain IS NOT NULL")[0][0] == 0


def test_board_url_names_the_employer_when_the_feed_does_not(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    feed = write_csv(
        tmp_path / "nameless.csv",
        ["title", "company", "company_url"],
        [["Data Analyst", "", "https://simplify.jobs/c/Acme-Labs"]],
    )
    ingest_file(migrated_db, feed)
    assert employer_of_each_posting(migrated_db) == {("Data Analyst", "Acme Labs")}


def test_a_company_never_takes_postings_of_another_stated_employer(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    header = ["title", "company", "company_url"]
    ingest_file(
        migrated_db,
        write_csv(tmp_path / "a.csv", header, [["Chef", "Acme", "https://acme.example"]]),
    )
    assert rows(migrated_db, "SELECT domain FROM companies") == [("acme.example",)]
    result = ingest_file(
        migrated_db,
        write_csv(
            tmp_path / "b.csv",
            header,
            [
                ["Chef", "Globex", "https://acme.example/jobs"],
                ["Baker", "Acme Inc.", "https://www.acme.example"],
            ],
        ),
    )
    assert result.domain_conflicts == 1
    assert employer_of_each_posting(migrated_db) == {
        ("Chef", "Acme"),
        ("Chef", "Globex"),
        ("Baker", "Acme"),
    }


def test_repair_refiles_postings_attributed_through_a_board_domain(
    migrated_db: DatabaseTarget, tmp_path: Path
) -> None:
    records = [
        [t, e, f"https://www.indeed.com/cmp/{e}", "Remote"] for e in EMPLOYERS[:5] for t in TITLES
    ]
    load_rows(migrated_db, tmp_path / "x.csv", records)
    expected = employer_of_each_posting(migrated_db)
    assert len(expected) == 15
    # The state the old resolution left: the first company took the board's domain and every
    # posting that claimed it, and same-titled roles of other employers were merged into its own.
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        first = conn.execute(
            "SELECT id FROM companies WHERE name = %s", (EMPLOYERS[0],)
        ).fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE companies SET domain = 'indeed.com' WHERE id = %s", (first,))
        conn.execute("UPDATE job_posting_sources SET claimed_domain = 'indeed.com'")
        conn.execute("UPDATE job_postings SET company_id = %s", (first,))
        survivor = {
            title: posting
            for title, posting in conn.execute(
                "SELECT title, min(id::text)::uuid FROM job_postings GROUP BY title"
            ).fetchall()
        }
        for title, posting in survivor.items():
            conn.execute(
                "UPDATE job_posting_sources ps SET job_posting_id = %s, is_primary = false "
                "FROM job_postings p WHERE p.id = ps.job_posting_id AND p.title = %s AND p.id <> %s",
                (posting, title, posting),
            )
            conn.execute(
                "UPDATE job_posting_sources SET is_primary = false WHERE job_posting_id = %s",
                (posting,),
            )
            conn.execute(
                "UPDATE job_posting_sources SET is_primary = true WHERE job_posting_id = %s AND employer_slug = (SELECT min(employer_slug) FROM job_posting_sources WHERE job_posting_id = %s)",
                (posting, posting),
            )
        conn.execute(
            "DELETE FROM job_postings p WHERE NOT EXISTS (SELECT 1 FROM job_posting_sources s WHERE s.job_posting_id = p.id)"
        )
    assert len(employer_of_each_posting(migrated_db)) == 3

    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        report = repair_employer_attribution(conn)
    assert report.board_domains_learned >= 1
    assert report.company_domains_cleared == 1
    assert report.postings_reattributed + report.sightings_split >= 12
    assert employer_of_each_posting(migrated_db) == expected
    assert rows(migrated_db, "SELECT count(*) FROM job_postings")[0][0] == 15
    # Every sighting sits under a posting of its stated employer.
    assert rows(
        migrated_db,
        "SELECT count(*) FROM job_posting_sources s JOIN job_postings p ON p.id = s.job_posting_id "
        "JOIN companies c ON c.id = p.company_id WHERE c.slug <> s.employer_slug",
    ) == [(0,)]
    with psycopg.connect(**migrated_db.libpq_kwargs) as conn:  # type: ignore[arg-type]
        again = repair_employer_attribution(conn)
    assert (
        again.board_domains_learned,
        again.company_domains_cleared,
        again.postings_reattributed,
        again.sightings_split,
    ) == (0, 0, 0, 0)
    json.dumps(again.as_dict())
