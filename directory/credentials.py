"""Access key secrets: derived from the server's credential key and a per-key nonce, never stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def new_secret_nonce() -> str:
    return secrets.token_urlsafe(24)


def derive_secret_access_key(access_key_id: str, nonce: str) -> str:
    """The 40-character secret of an access key, the same shape as AWS's (base64 alphabet)."""
    digest = hmac.new(
        settings.IAM_CREDENTIAL_KEY.encode(),
        f"iam-access-key\x00{access_key_id}\x00{nonce}".encode(),
        hashlib.sha256,
    ).digest()
    return base64.b64encode(digest).decode()[:40]
