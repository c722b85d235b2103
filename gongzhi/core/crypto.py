"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

Personal data (ID numbers, phones, addresses, political status) is stored
encrypted at rest (GB/T 22239-2019 8.1.4.8, PIPL art. 51). A stored value reads

    gz1$<key id>$<base64(nonce ‖ ciphertext ‖ tag)>

The key id is the first 8 hex digits of SHA-256 over the key, so keys can be
added in front of the list (newest first) and ``manage.py rotate_keys``
re-encrypts every value that is not under the newest key. The associated data
binds a ciphertext to its column (``app.model.field``): a value copied into
another column does not decrypt.

Exact look-up uses a blind index: HMAC-SHA256 with a separate key over the
normalised plaintext, so equal values match without the database ever seeing
them. The blind index key cannot be rotated without recomputing every index
(``rotate_keys --blind-index`` does that).

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` and
``settings.FIELD_BLIND_INDEX_KEY`` (parsed from the environment in
``config.settings``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "gz1"
NONCE_BYTES = 12
KEY_BYTES = 32


class DecryptionError(Exception):
    """A stored value does not decrypt with any configured key."""


def parse_key(text: str, *, name: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: not valid base64.") from exc
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name}: a key must be {KEY_BYTES} bytes, got {len(key)}.")
    return key


def new_key_b64() -> str:
    return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    keys: tuple[bytes, ...]  # newest first
    blind_index_key: bytes

    @property
    def primary_id(self) -> str:
        return key_id(self.keys[0])

    def by_id(self, kid: str) -> bytes | None:
        for key in self.keys:
            if key_id(key) == kid:
                return key
        return None


@lru_cache(maxsize=4)
def _keyring(keys: tuple[bytes, ...], bidx: bytes) -> Keyring:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    return Keyring(keys=keys, blind_index_key=bidx)


def keyring() -> Keyring:
    """The keys in force; read from settings each call (cheap, cached) so that
    tests overriding the settings see their own keys."""
    return _keyring(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.FIELD_BLIND_INDEX_KEY)


def encrypt(plaintext: str, *, context: str) -> str:
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.keys[0]).encrypt(nonce, plaintext.encode("utf-8"), context.encode())
    body = base64.b64encode(nonce + sealed).decode("ascii")
    return f"{PREFIX}${ring.primary_id}${body}"


def is_ciphertext(value: str) -> bool:
    return value.startswith(PREFIX + "$") and value.count("$") == 2


def ciphertext_key_id(value: str) -> str | None:
    return value.split("$")[1] if is_ciphertext(value) else None


def decrypt(stored: str, *, context: str) -> str:
    if not is_ciphertext(stored):
        raise DecryptionError("not a Gongzhi ciphertext")
    _prefix, kid, body = stored.split("$")
    key = keyring().by_id(kid)
    if key is None:
        raise DecryptionError(f"no configured key has id {kid}")
    try:
        raw = base64.b64decode(body, validate=True)
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode())
    except (ValueError, InvalidTag) as exc:
        raise DecryptionError(f"value under key {kid} does not authenticate") from exc
    return plain.decode("utf-8")


def blind_index(normalised: str, *, context: str) -> str:
    """HMAC-SHA256 over ``context`` and the normalised value, hex. The context
    keeps two columns' indexes of the same value apart."""
    message = context.encode() + b"\x00" + normalised.encode("utf-8")
    return hmac.new(keyring().blind_index_key, message, hashlib.sha256).hexdigest()
