"""Application-side encryption of PII (the seed's pgcrypto is not available on every server).

Each value becomes an envelope ``version | len(key_id) | key_id | nonce | AES-GCM ciphertext+tag``.
The key id travels with the ciphertext, so old rows stay readable after a new key becomes active
and ``rotate-keys`` can re-encrypt them at leisure. The column name is bound as associated data,
so a ciphertext copied into another column does not decrypt.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from pipelines.settings import Settings

logger = logging.getLogger(__name__)

ENVELOPE_VERSION = 1
NONCE_BYTES = 12


class PiiKeyError(ValueError):
    """Keys are missing or malformed, or a ciphertext names a key we do not have."""


def parse_keyring(spec: str) -> dict[str, bytes]:
    """Parse ``"k2:<base64>,k1:<base64>"`` into an ordered {key_id: 32-byte key} map."""
    keys: dict[str, bytes] = {}
    for position, item in enumerate(filter(None, (p.strip() for p in spec.split(","))), start=1):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id:
            raise PiiKeyError(
                f"JOBSWIPE_PII_KEYS entry {position} must look like 'key_id:base64key'"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise PiiKeyError(
                f"JOBSWIPE_PII_KEYS entry {position} ({key_id}): key is not base64"
            ) from exc
        if len(key) != 32:
            raise PiiKeyError(
                f"JOBSWIPE_PII_KEYS entry {position} ({key_id}): key must be 32 bytes, got {len(key)}"
            )
        if len(key_id.encode()) > 255:
            raise PiiKeyError(f"JOBSWIPE_PII_KEYS entry {position}: key id longer than 255 bytes")
        keys[key_id] = key
    if not keys:
        raise PiiKeyError("JOBSWIPE_PII_KEYS holds no key")
    return keys


def new_key_spec(key_id: str) -> str:
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(32)).decode()}"


@dataclass(frozen=True)
class PiiCipher:
    keys: dict[str, bytes]
    active_key_id: str

    @classmethod
    def from_spec(cls, spec: str) -> PiiCipher:
        keys = parse_keyring(spec)
        return cls(keys=keys, active_key_id=next(iter(keys)))

    @classmethod
    def from_settings(cls, settings: Settings) -> PiiCipher:
        if settings.pii_keys:
            return cls.from_spec(settings.pii_keys)
        return cls.from_spec(_development_keyring(settings.state_dir))

    def encrypt(self, plaintext: str, column: str) -> bytes:
        key_id = self.active_key_id.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_key_id]).encrypt(
            nonce, plaintext.encode(), column.encode()
        )
        return bytes([ENVELOPE_VERSION, len(key_id)]) + key_id + nonce + sealed

    def decrypt(self, envelope: bytes, column: str) -> str:
        key_id, nonce, sealed = _split_envelope(envelope)
        if key_id not in self.keys:
            raise PiiKeyError(
                f"ciphertext in {column} was written with key {key_id!r}, which is not configured"
            )
        return AESGCM(self.keys[key_id]).decrypt(nonce, sealed, column.encode()).decode()

    def needs_rotation(self, envelope: bytes) -> bool:
        return key_id_of(envelope) != self.active_key_id


def key_id_of(envelope: bytes) -> str:
    return _split_envelope(envelope)[0]


def _split_envelope(envelope: bytes) -> tuple[str, bytes, bytes]:
    envelope = bytes(envelope)
    if len(envelope) < 2 or envelope[0] != ENVELOPE_VERSION:
        raise PiiKeyError("value is not a PII envelope (unknown version byte)")
    kid_len = envelope[1]
    key_id = envelope[2 : 2 + kid_len].decode()
    nonce = envelope[2 + kid_len : 2 + kid_len + NONCE_BYTES]
    return key_id, nonce, envelope[2 + kid_len + NONCE_BYTES :]


def _development_keyring(state_dir: Path) -> str:
    """A per-machine key for local runs without JOBSWIPE_PII_KEYS; never for production."""
    key_file = state_dir / "pii-dev.keyring"
    if not key_file.exists():
        state_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(new_key_spec("dev-" + secrets.token_hex(3)))
        logger.warning("JOBSWIPE_PII_KEYS is unset: created a development key in %s", key_file)
    return key_file.read_text().strip()
