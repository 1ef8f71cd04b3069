"""Session credential secrets: derived or digested with the server's credential key, never stored in plaintext."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings


def new_secret_nonce() -> str:
    return secrets.token_urlsafe(24)


def derive_session_secret(access_key_id: str, nonce: str) -> str:
    """The 40-character secret access key of a session (a different derivation label from access keys)."""
    digest = hmac.new(settings.IAM_CREDENTIAL_KEY.encode(), f"iam-session-key\x00{access_key_id}\x00{nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode()[:40]


def new_session_token() -> str:
    # Long and opaque like AWS's tokens; 48 random bytes is far beyond guessing.
    return "IQoJb3JpZ2luX2VjE" + base64.b64encode(secrets.token_bytes(48)).decode()


def token_digest(token: str) -> str:
    return hmac.new(settings.IAM_CREDENTIAL_KEY.encode(), f"iam-session-token\x00{token}".encode(),
                    hashlib.sha256).hexdigest()


def token_matches(token: str | None, digest: str) -> bool:
    return hmac.compare_digest(token_digest(token or ""), digest)
