"""Repair postings attributed to the wrong employer through a board's domain.

Before board domains were recognised, a company URL on an aggregator (every posting pointing at
``https://<board>/c/<Company>``) made the first company seen with that domain take every later
posting that claimed it. The repair learns the boards, frees company rows of board domains,
files each posting under the employer its primary sighting states, and gives sightings of
other employers that were merged into it a posting of their own. It is idempotent: a second run
reports zeros.

Sightings loaded before migration 0007 carry no stated employer; they are counted, and
re-ingesting their files with ``--force`` records it so that the next repair can act.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from pipelines.db.locks import Writer, hold_writer_lock
from pipelines.ingest import fields as f
from pipelines.ingest.boards import is_board_host
from pipelines.sql_files import read_sql


@dataclass(frozen=True)
class RepairReport:
    board_domains_learned: int
    company_domains_cleared: int
    postings_reattributed: int
    sightings_split: int
    postings_created: int
    sightings_without_employer: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


MAX_PASSES = 10


def names_agree(company_slug: str, employer_slug: str) -> bool:
    """'acme' and 'acme-analytics' agree; 'acme' and 'globex' do not (as resolve_companies.sql)."""
    return (
        company_slug == employer_slug
        or employer_slug.startswith(company_slug + "-")
        or company_slug.startswith(employer_slug + "-")
    )


def _statement(name: str) -> str:
    return read_sql("pipelines.ingest.sql", name)


def repair_employer_attribution(conn: psycopg.Connection) -> RepairReport:
    """One transaction; returns what it changed."""
    with conn.transaction():
        hold_writer_lock(conn, Writer.POSTINGS)
        domains = [
            row[0]
            for row in conn.execute(_statement("repair_company_domains"))
            if is_board_host(row[0])
        ]
        learned = conn.execute(_statement("repair_learn_boards"), {"listed": domains}).fetchall()
        cleared = conn.execute(_statement("repair_clear_domains")).fetchall()
        moved = split = created = 0
        refiled: set[object] = set()
        # Moving a posting can make its other sightings disagree: repeat until none does.
        for _ in range(MAX_PASSES):
            pass_moved, pass_split, pass_created = _refile_sightings(conn, refiled)
            moved, split, created = moved + pass_moved, split + pass_split, created + pass_created
            if not (pass_moved or pass_split):
                break
        unknown = conn.execute(_statement("repair_sightings_without_employer")).fetchone()
    return RepairReport(
        board_domains_learned=len(learned),
        company_domains_cleared=len(cleared),
        postings_reattributed=moved,
        sightings_split=split,
        postings_created=created,
        sightings_without_employer=int(unknown[0]) if unknown else 0,
    )


def _refile_sightings(conn: psycopg.Connection, refiled: set[object]) -> tuple[int, int, int]:
    """A posting follows its primary sighting's employer once; other employers' sightings split."""
    moved = split = created = 0
    for (
        source,
        external_key,
        external_id,
        is_primary,
        posting_id,
        employer_name,
        employer_slug,
        title,
        city,
        country,
        remote_type,
    ) in conn.execute(_statement("repair_misattributed")).fetchall():
        current = conn.execute(
            _statement("repair_posting_company_slug"), {"posting_id": posting_id}
        ).fetchone()
        if current is None or names_agree(current[0], employer_slug):
            continue  # an earlier repair in this run already filed it right
        company = conn.execute(
            _statement("repair_company_for"), {"name": employer_name, "slug": employer_slug}
        ).fetchone()
        if company is None:
            raise RuntimeError(f"no company row for {employer_slug!r}")
        params = {
            "company_id": company[0],
            "posting_id": posting_id,
            "content_hash": f.content_hash(title, employer_slug, city, country, remote_type),
            "source": source,
            "external_key": external_key,
            "external_id": external_id,
        }
        if is_primary and posting_id not in refiled:
            refiled.add(posting_id)
            moved += conn.execute(_statement("repair_move_posting"), params).rowcount
        else:
            row = conn.execute(_statement("repair_split_posting"), params).fetchone()
            split += 1
            created += int(row[0]) if row else 0
    return moved, split, created
