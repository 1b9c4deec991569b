"""Search everything the platform shows or keeps outside the protected tables for PII.

The needles are the simulated users' own data: emails, full names and phone numbers (decrypted
with the platform's key) and the key material itself. The haystacks are log output, Dagster
run events, every mart and staging view, the quarantine and the model registry's readable
columns, and every file in the artifacts directory (plots included). Tokens are extracted from
each haystack and looked up, so millions of characters cost seconds, not hours.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from pipelines.db.crypto import PiiCipher

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+\d[\d ().-]{6,}\d")
_WORD = re.compile(r"[^\W\d_][\w'-]*")


@dataclass
class Secrets:
    emails: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)  # "first last", lower case
    phones: set[str] = field(default_factory=set)  # digits only
    keys: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.emails) + len(self.names) + len(self.phones) + len(self.keys)


def collect_secrets(conn: psycopg.Connection, cipher: PiiCipher, key_spec: str) -> Secrets:
    secrets = Secrets(keys=[part.split(":", 1)[1] for part in key_spec.split(",") if ":" in part])
    secrets.emails = {row[0].lower() for row in conn.execute("SELECT email FROM users") if row[0]}
    for first, last, phone in conn.execute(
        "SELECT first_name, last_name, phone FROM user_profiles"
    ):
        if first is not None and last is not None:
            secrets.names.add(
                f"{cipher.decrypt(first, 'user_profiles.first_name')} "
                f"{cipher.decrypt(last, 'user_profiles.last_name')}".lower()
            )
        if phone is not None:
            secrets.phones.add(re.sub(r"\D", "", cipher.decrypt(phone, "user_profiles.phone")))
    return secrets


def hits(text: str, secrets: Secrets) -> list[str]:
    """The secrets found in one text."""
    found = [e for e in _EMAIL.findall(text) if e.lower() in secrets.emails]
    found += [p for p in _PHONE.findall(text) if re.sub(r"\D", "", p) in secrets.phones]
    words = [w.lower() for w in _WORD.findall(text)]
    found += [f"{a} {b}" for a, b in itertools.pairwise(words) if f"{a} {b}" in secrets.names]
    found += [key[:6] + "..." for key in secrets.keys if key in text]
    return found


def database_haystacks(conn: psycopg.Connection) -> Iterator[tuple[str, str]]:
    """(where, text) for every mart, staging view, the quarantine and the registry's text."""
    relations = conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema IN ('marts', 'staging') ORDER BY 1, 2"
    ).fetchall()
    for schema, name in relations:
        text = conn.execute(
            sql.SQL("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM {}.{} t").format(
                sql.Identifier(schema), sql.Identifier(name)
            )
        ).fetchone()
        yield f"{schema}.{name}", text[0] if text else ""
    for where, query in (
        (
            "ingest_rejects",
            "SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM ingest_rejects t",
        ),
        (
            "model_registry",
            "SELECT coalesce(string_agg(concat_ws(' ', features, metrics, decision), E'\\n'), '') FROM model_registry",
        ),
        (
            "ingest_files",
            "SELECT coalesce(string_agg(concat_ws(' ', file_name, error), E'\\n'), '') FROM ingest_files",
        ),
    ):
        row = conn.execute(query).fetchone()
        yield where, row[0] if row else ""


def file_haystacks(directory: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.stat().st_size < 50_000_000:
            yield str(path), path.read_bytes().decode("latin-1")


@dataclass
class LeakReport:
    secrets: int
    haystacks: int
    characters: int
    found: dict[str, list[str]]
    planted_found: bool

    @property
    def hits(self) -> int:
        return sum(len(h) for h in self.found.values())


def scan_state(state: Path, texts: list[tuple[str, str]]) -> LeakReport:
    """Everything a run under ``state`` (an embedded database) shows or keeps, searched."""
    from pipelines.db.embedded import start_embedded_server
    from pipelines.settings import Settings

    settings = Settings(state_dir=state)
    cipher = PiiCipher.from_settings(settings)
    key_spec = (state / "pii-dev.keyring").read_text().strip()
    with psycopg.connect(start_embedded_server(settings.embedded_data_dir)) as conn:
        secrets = collect_secrets(conn, cipher, key_spec)
        haystacks = [*texts, *database_haystacks(conn)]
    haystacks += list(file_haystacks(settings.artifacts_dir))
    planted = next(iter(secrets.emails), "")
    return LeakReport(
        secrets=len(secrets),
        haystacks=len(haystacks),
        characters=sum(len(text) for _, text in haystacks),
        found={where: found for where, text in haystacks if (found := hits(text, secrets))},
        planted_found=bool(planted) and planted in hits(f"contact {planted} now", secrets),
    )
