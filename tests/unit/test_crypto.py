from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag

from pipelines.db.crypto import PiiCipher, PiiKeyError, key_id_of, new_key_spec, parse_keyring


def test_round_trip_and_ciphertext_hides_plaintext() -> None:
    cipher = PiiCipher.from_spec(new_key_spec("k1"))
    envelope = cipher.encrypt("+1 555 0100", "user_profiles.phone")
    assert b"555" not in envelope
    assert key_id_of(envelope) == "k1"
    assert cipher.decrypt(envelope, "user_profiles.phone") == "+1 555 0100"


def test_same_plaintext_encrypts_differently_each_time() -> None:
    cipher = PiiCipher.from_spec(new_key_spec("k1"))
    assert cipher.encrypt("Ada", "c") != cipher.encrypt("Ada", "c")


def test_ciphertext_is_bound_to_its_column() -> None:
    cipher = PiiCipher.from_spec(new_key_spec("k1"))
    envelope = cipher.encrypt("Ada", "user_profiles.first_name")
    with pytest.raises(InvalidTag):
        cipher.decrypt(envelope, "user_profiles.last_name")


def test_old_key_still_decrypts_after_rotation_and_is_flagged() -> None:
    old_spec = new_key_spec("k1")
    old = PiiCipher.from_spec(old_spec)
    envelope = old.encrypt("Ada", "c")
    rotated = PiiCipher.from_spec(new_key_spec("k2") + "," + old_spec)
    assert rotated.active_key_id == "k2"
    assert rotated.decrypt(envelope, "c") == "Ada"
    assert rotated.needs_rotation(envelope)
    assert not rotated.needs_rotation(rotated.encrypt("Ada", "c"))


def test_unknown_key_is_a_clear_error() -> None:
    envelope = PiiCipher.from_spec(new_key_spec("gone")).encrypt("Ada", "c")
    with pytest.raises(PiiKeyError, match="'gone'"):
        PiiCipher.from_spec(new_key_spec("k2")).decrypt(envelope, "c")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "no key"),
        ("k1", "key_id:base64key"),
        ("k1:not-base64!", "not base64"),
        ("k1:AAAA", "32 bytes"),
    ],
)
def test_malformed_keyrings_are_rejected_with_reason(spec: str, message: str) -> None:
    with pytest.raises(PiiKeyError, match=message):
        parse_keyring(spec)
