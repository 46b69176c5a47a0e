import base64
import hashlib

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from tuoyu.common import crypto

NUMBER = "11010519491231002X"
PURPOSE = "staff.id_number"


def _key(seed: bytes) -> str:
    """A well-formed key: 32 bytes, base64."""
    return base64.b64encode(hashlib.sha256(seed).digest()).decode()


def test_a_value_decrypts_to_itself() -> None:
    assert crypto.decrypt(crypto.encrypt(NUMBER, purpose=PURPOSE), purpose=PURPOSE) == NUMBER


def test_a_non_ascii_value_decrypts_to_itself() -> None:
    assert crypto.decrypt(crypto.encrypt("王某", purpose=PURPOSE), purpose=PURPOSE) == "王某"


def test_a_memoryview_as_read_from_a_binary_field_decrypts() -> None:
    token = memoryview(crypto.encrypt(NUMBER, purpose=PURPOSE))
    assert crypto.decrypt(token, purpose=PURPOSE) == NUMBER


def test_the_ciphertext_does_not_contain_the_plain_value() -> None:
    assert NUMBER.encode() not in crypto.encrypt(NUMBER, purpose=PURPOSE)


def test_two_encryptions_of_the_same_value_differ_in_nonce_and_ciphertext() -> None:
    first = crypto.encrypt(NUMBER, purpose=PURPOSE)
    second = crypto.encrypt(NUMBER, purpose=PURPOSE)
    assert first[: crypto.NONCE_BYTES] != second[: crypto.NONCE_BYTES]
    assert first[crypto.NONCE_BYTES :] != second[crypto.NONCE_BYTES :]


def test_a_ciphertext_does_not_decrypt_under_another_purpose() -> None:
    token = crypto.encrypt(NUMBER, purpose=PURPOSE)
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, purpose="guardian.id_number")


@pytest.mark.parametrize("position", [0, crypto.NONCE_BYTES, -1])
def test_a_tampered_ciphertext_does_not_decrypt(position: int) -> None:
    token = bytearray(crypto.encrypt(NUMBER, purpose=PURPOSE))
    token[position] ^= 0x01
    with pytest.raises(InvalidTag):
        crypto.decrypt(bytes(token), purpose=PURPOSE)


def test_a_truncated_ciphertext_does_not_decrypt() -> None:
    token = crypto.encrypt(NUMBER, purpose=PURPOSE)
    with pytest.raises(InvalidTag):
        crypto.decrypt(token[:-1], purpose=PURPOSE)


def test_a_ciphertext_does_not_decrypt_after_the_field_key_changes(settings: Settings) -> None:
    token = crypto.encrypt(NUMBER, purpose=PURPOSE)
    settings.TUOYU_FIELD_KEY = _key(b"another field key")
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, purpose=PURPOSE)


def test_the_blind_index_is_deterministic_hex_sha256() -> None:
    index = crypto.blind_index(NUMBER, purpose=PURPOSE)
    assert index == crypto.blind_index(NUMBER, purpose=PURPOSE)
    assert len(index) == 64
    assert int(index, 16) >= 0


def test_the_blind_index_differs_by_value_and_by_purpose() -> None:
    index = crypto.blind_index(NUMBER, purpose=PURPOSE)
    assert crypto.blind_index("110105194912310038", purpose=PURPOSE) != index
    assert crypto.blind_index(NUMBER, purpose="guardian.id_number") != index


def test_a_changed_index_key_takes_effect_despite_the_key_cache(settings: Settings) -> None:
    before = crypto.blind_index(NUMBER, purpose=PURPOSE)
    settings.TUOYU_INDEX_KEY = _key(b"another index key")
    changed = crypto.blind_index(NUMBER, purpose=PURPOSE)
    assert changed != before
    assert crypto.blind_index(NUMBER, purpose=PURPOSE) == changed


def test_the_index_key_is_not_the_field_key(settings: Settings) -> None:
    before = crypto.blind_index(NUMBER, purpose=PURPOSE)
    settings.TUOYU_FIELD_KEY = _key(b"another field key")
    assert crypto.blind_index(NUMBER, purpose=PURPOSE) == before


@pytest.mark.parametrize(
    ("value", "problem"),
    [(base64.b64encode(b"sixteen bytes...").decode(), "32 bytes, got 16"), ("not base64!", "base64")],
)
def test_a_malformed_index_key_raises_improperly_configured_naming_the_setting(
    settings: Settings, value: str, problem: str
) -> None:
    settings.TUOYU_INDEX_KEY = value
    with pytest.raises(ImproperlyConfigured, match=f"TUOYU_INDEX_KEY must .*{problem}"):
        crypto.blind_index(NUMBER, purpose=PURPOSE)


def test_a_wrongly_sized_field_key_raises_improperly_configured_naming_the_setting(
    settings: Settings,
) -> None:
    settings.TUOYU_FIELD_KEY = base64.b64encode(b"x" * 24).decode()
    with pytest.raises(ImproperlyConfigured, match="TUOYU_FIELD_KEY must decode to 32 bytes, got 24"):
        crypto.encrypt(NUMBER, purpose=PURPOSE)
