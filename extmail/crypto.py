"""Encryption of stored mail passwords.

Passwords must be replayed to providers, so they are encrypted, not hashed. AES-256-GCM with a key
ring that is separate from SECRET_KEY: newest key first, older keys only decrypt. Every ciphertext
is bound (as GCM associated data) to the row and field it belongs to, so a value copied into
another linkage, or from the POP field into the SMTP field, fails to decrypt.

Token format: ``v1$<key id>$<base64(nonce || ciphertext+tag)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12


class CredentialKeyError(ImproperlyConfigured):
    """The key ring is missing or malformed: the box cannot use stored passwords."""


class DecryptionError(Exception):
    """A stored secret does not decrypt with any key for this row and field."""


@dataclass(frozen=True)
class Key:
    kid: str
    aead: AESGCM


def generate_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _parse_key(text: str, where: str, number: int) -> Key:
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raw = b""
    if len(raw) != KEY_BYTES:
        raise CredentialKeyError(
            f"Credential key #{number} in {where} is malformed: each key must be "
            f"{KEY_BYTES} random bytes in URL-safe base64 (see 'manage.py init_credential_keys')."
        )
    return Key(kid=hashlib.sha256(raw).hexdigest()[:8], aead=AESGCM(raw))


def key_file() -> Path:
    return Path(settings.BEATBOX_CREDENTIAL_KEY_FILE)


def read_key_lines() -> tuple[list[str], str]:
    """The configured keys (newest first) and where they came from."""
    if env := os.environ.get("BEATBOX_CREDENTIAL_KEYS"):
        return [k.strip() for k in env.split(",") if k.strip()], "BEATBOX_CREDENTIAL_KEYS"
    path = key_file()
    if not path.exists():
        raise CredentialKeyError(
            f"The credential key file {path} is missing, so stored mail passwords cannot be "
            "used. Restore it from your backup, or on a new box run "
            "'python manage.py init_credential_keys' (make run does this)."
        )
    lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")], str(path)


@lru_cache(maxsize=1)
def keyring() -> tuple[Key, ...]:
    lines, where = read_key_lines()
    if not lines:
        raise CredentialKeyError(f"No credential key found in {where}.")
    return tuple(_parse_key(text, where, n) for n, text in enumerate(lines, start=1))


def reset_keyring_cache() -> None:
    keyring.cache_clear()


def _aad(row: str, field: str) -> bytes:
    return f"beatbox-secret|{row}|{field}".encode()


def encrypt(plaintext: str, *, row: str, field: str) -> str:
    key = keyring()[0]
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), _aad(row, field))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{VERSION}${key.kid}${body}"


def decrypt(token: str, *, row: str, field: str) -> str:
    try:
        version, kid, body = token.split("$", 2)
        blob = base64.urlsafe_b64decode(body.encode("ascii"))
    except (ValueError, binascii.Error, UnicodeEncodeError) as exc:
        raise DecryptionError("stored secret is not a valid token") from exc
    if version != VERSION or len(blob) <= NONCE_BYTES:
        raise DecryptionError("stored secret has an unknown format")
    nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    for key in keyring():
        if key.kid != kid:
            continue
        try:
            return key.aead.decrypt(nonce, sealed, _aad(row, field)).decode("utf-8")
        except InvalidTag:
            continue
    raise DecryptionError("stored secret does not decrypt for this row and field")


def needs_rotation(token: str) -> bool:
    return not token.startswith(f"{VERSION}${keyring()[0].kid}$")
