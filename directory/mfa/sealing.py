"""Sealing TOTP seeds at rest: AES-GCM under a key derived from IAM_CREDENTIAL_KEY, bound to the device."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


def _key() -> bytes:
    # A key of its own, so that a seed key never doubles as the access key signer's or Django's.
    return hashlib.sha256(b"iam-mfa-seed-sealing\x00" + settings.IAM_CREDENTIAL_KEY.encode()).digest()


def _binding(user_id: str, serial_number: str) -> bytes:
    # Associated data: a sealed seed copied onto another device or user no longer opens.
    return f"{user_id}\x00{serial_number}".encode()


def seal(seed: bytes, *, user_id: str, serial_number: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, seed, _binding(user_id, serial_number))
    return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(text: str, *, user_id: str, serial_number: str) -> bytes:
    version, _, body = text.partition(":")
    if version != _VERSION:
        raise ValueError("unknown sealed seed format")
    raw = base64.b64decode(body)
    try:
        return AESGCM(_key()).decrypt(raw[:12], raw[12:], _binding(user_id, serial_number))
    except InvalidTag as error:
        raise ValueError("the sealed seed does not open with this server's key") from error
