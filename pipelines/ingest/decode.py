"""Bytes to text: what a file is, how it is encoded, and the limits every feed is held to.

Text is decoded, never silently replaced: a byte-order mark decides UTF-8/16/32; otherwise a file
that is valid UTF-8 is UTF-8, and anything else is identified by charset-normalizer and decoded
strictly with that codec into a UTF-8 copy the readers stream from. One pass over the bytes
computes the ledger's SHA-256, checks UTF-8 and finds control characters at the same time.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import zipfile
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

import charset_normalizer

CHUNK_BYTES = 1 << 20
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class FileKind(StrEnum):
    EMPTY = "empty"
    TEXT = "text"
    PARQUET = "parquet"
    SPREADSHEET = "spreadsheet"
    BINARY = "binary"


@dataclass(frozen=True)
class Limits:
    """Sane bounds for hostile input; each can be set with ``JOBSWIPE_INGEST_<NAME>``."""

    max_file_bytes: int = 8 * 1024**3
    max_record_bytes: int = 1024**2
    max_columns: int = 1_000
    max_title_chars: int = 500
    max_company_chars: int = 500
    max_description_chars: int = 500_000
    max_rejects_stored_bytes: int = 16_384

    @classmethod
    def from_env(cls) -> Limits:
        values = {}
        for item in fields(cls):
            raw = os.environ.get(f"JOBSWIPE_INGEST_{item.name.upper()}")
            if raw is not None:
                try:
                    values[item.name] = int(raw)
                except ValueError as exc:
                    raise ValueError(
                        f"JOBSWIPE_INGEST_{item.name.upper()} must be a whole number, not {raw!r}"
                    ) from exc
        return cls(**values)


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    kind: FileKind
    # For text: the codec that decodes it ('utf-8', 'utf-8-sig', 'utf-16', 'cp1252', ...).
    encoding: str | None = None
    has_controls: bool = False


class UndecodableError(ValueError):
    """Bytes that are no text in any encoding we can identify."""


def inspect_file(path: Path) -> FileFacts:
    """Hash, kind, encoding and control characters of a file, from one pass over its bytes."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_valid, has_controls, size = True, False, 0
    head = b""
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            if not head:
                head = chunk[:8]
            size += len(chunk)
            if utf8_valid and not chunk.isascii():
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_valid = False
            if not has_controls and _CONTROL_BYTES.search(chunk):
                has_controls = True
    if utf8_valid:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_valid = False  # ends inside a multi-byte character
    sha = digest.hexdigest()
    if size == 0:
        return FileFacts(sha, 0, FileKind.EMPTY)
    if head.startswith(b"PAR1"):
        return FileFacts(sha, size, FileKind.PARQUET)
    if head.startswith(b"PK\x03\x04"):
        return FileFacts(sha, size, _zip_kind(path))
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy .xls
        return FileFacts(sha, size, FileKind.SPREADSHEET)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            # Only UTF-8 keeps control bytes meaningful; other codecs are checked once decoded.
            controls = has_controls if codec == "utf-8-sig" else True
            return FileFacts(sha, size, FileKind.TEXT, codec, controls)
    if utf8_valid or _mostly_utf8(path):
        # Mostly UTF-8 with a few damaged bytes: readers quarantine the records that hold them.
        return FileFacts(sha, size, FileKind.TEXT, "utf-8", has_controls)
    encoding = detect_legacy_encoding(path)
    if encoding is None:
        return FileFacts(sha, size, FileKind.BINARY)
    return FileFacts(sha, size, FileKind.TEXT, encoding, True)


# The legacy encodings exports are written in, most common first. Short texts fit several
# single-byte code pages equally well; among the detector's near-best, the common one wins.
COMMON_ENCODINGS = (
    "cp1252", "cp1251", "cp1250", "latin_1", "iso8859_15", "cp1253", "cp1254", "cp1256",
    "cp1255", "cp1257", "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr", "koi8_r",
)  # fmt: skip
NEAR_BEST_CHAOS = 0.05


def detect_legacy_encoding(path: Path) -> str | None:
    """charset-normalizer's reading of a file that is not UTF-8; None for binary content."""
    matches = list(charset_normalizer.from_path(path))
    if not matches:
        return None
    best = min(match.chaos for match in matches)
    near = {match.encoding for match in matches if match.chaos <= best + NEAR_BEST_CHAOS}
    for encoding in COMMON_ENCODINGS:
        if encoding in near:
            return encoding
    return str(matches[0].encoding)


def _mostly_utf8(path: Path) -> bool:
    """Valid multi-byte UTF-8 sequences outnumber the invalid bytes (a damaged UTF-8 file)."""
    valid = invalid = 0
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            text = chunk.decode("utf-8", errors="surrogateescape")
            invalid += len(re.findall("[\udc80-\udcff]", text))
            valid += len(re.findall("[^\x00-\x7f\udc80-\udcff]", text))
    return valid > invalid


def _zip_kind(path: Path) -> FileKind:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return FileKind.BINARY
    if "xl/workbook.xml" in names or "content.xml" in names:
        return FileKind.SPREADSHEET
    return FileKind.BINARY


def transcode_to_utf8(source: Path, encoding: str, destination: Path) -> bool:
    """Strictly decode ``source`` and write it as UTF-8; True when control characters were seen."""
    controls = re.compile(CONTROL_CHARACTERS)
    seen = False
    try:
        with (
            source.open(encoding=encoding, errors="strict", newline="") as reader,
            destination.open("w", encoding="utf-8", newline="") as writer,
        ):
            for text in iter(lambda: reader.read(CHUNK_BYTES), ""):
                seen = seen or bool(controls.search(text))
                writer.write(text)
    except (UnicodeDecodeError, UnicodeError) as exc:
        raise UndecodableError(f"not valid {encoding} text: {exc}") from exc
    return seen
