"""Sealing TOTP seeds at rest: AES-GCM under a key derived from IAM_CREDENTIAL_KEY, bound to the device."""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


def _key(credential_key: str | None = None) -> bytes:
    # A key of its own, so that a seed key never doubles as the access key signer's or Django's.
    key = settings.IAM_CREDENTIAL_KEY if credential_key is None else credential_key
    return hashlib.sha256(b"iam-mfa-seed-sealing\x00" + key.encode()).digest()


def _binding(user_id: str, serial_number: str) -> bytes:
    # Associated data: a sealed seed copied onto another device or user no longer opens.
    return f"{user_id}\x00{serial_number}".encode()


def seal(seed: bytes, *, user_id: str, serial_number: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, seed, _binding(user_id, serial_number))
    return f"{_VERSION}:{base64.b64encode(nonce + sealed).decode()}"


def unseal(text: str, *, user_id: str, serial_number: str, credential_key: str | None = None) -> bytes:
    version, _, body = text.partition(":")
    if version != _VERSION:
        raise ValueError("unknown sealed seed format")
    raw = base64.b64decode(body)
    try:
        return AESGCM(_key(credential_key)).decrypt(raw[:12], raw[12:], _binding(user_id, serial_number))
    except InvalidTag as error:
        raise ValueError("the sealed seed does not open with this server's key") from error


def key_opens_a_sealed_seed(credential_key: str) -> bool | None:
    """Whether `credential_key` opens the newest sealed seed (None with no device): how a database with no key
    check value yet is judged before one is recorded (iam_console.credential_key)."""
    from directory.models import MFADevice

    device = MFADevice.objects.select_related("user").order_by("-id").first()
    if device is None:
        return None
    try:
        unseal(device.sealed_seed, user_id=device.user.user_id, serial_number=device.serial_number,
               credential_key=credential_key)
    except ValueError:
        return False
    return True
