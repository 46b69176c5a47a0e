"""Encryption at rest for personal identifiers.

AES-256-GCM (``cryptography``'s AESGCM) with a random 96-bit nonce per value; the
purpose label is bound as associated data so a ciphertext copied into another column
does not decrypt. A keyed HMAC-SHA256 (the blind index) allows exact look-up without
decrypting. Both keys come from settings and are not the Django secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

NONCE_BYTES = 12


def _decode_key(name: str, value: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be base64") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, got {len(key)}")
    return key


@cache
def _cipher(field_key: str) -> AESGCM:
    return AESGCM(_decode_key("TUOYU_FIELD_KEY", field_key))


@cache
def _index_key(index_key: str) -> bytes:
    return _decode_key("TUOYU_INDEX_KEY", index_key)


def encrypt(plaintext: str, *, purpose: str) -> bytes:
    """Nonce followed by the AES-GCM ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(settings.TUOYU_FIELD_KEY).encrypt(nonce, plaintext.encode(), purpose.encode())


def decrypt(token: bytes | memoryview, *, purpose: str) -> str:
    data = bytes(token)
    return (
        _cipher(settings.TUOYU_FIELD_KEY)
        .decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], purpose.encode())
        .decode()
    )


def blind_index(value: str, *, purpose: str) -> str:
    """Hex HMAC of the normalised value, for equality look-ups only."""
    message = f"{purpose}:{value}".encode()
    return hmac.new(_index_key(settings.TUOYU_INDEX_KEY), message, hashlib.sha256).hexdigest()
