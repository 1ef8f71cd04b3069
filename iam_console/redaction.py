"""Redaction of secrets from anything recorded: audit parameters and log lines."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# CloudTrail's own placeholder for values it will not record.
REDACTED = "HIDDEN_DUE_TO_SECURITY_REASONS"

# A SAML assertion is a bearer credential until it expires (and large): CloudTrail does not record it either.
_SECRET_KEY_PATTERN = re.compile(
    r"pass(word)?|secret|token|seed|authentication_code|recovery_code|private|credential|assertion", re.IGNORECASE
)


def is_secret_name(name: str) -> bool:
    return bool(_SECRET_KEY_PATTERN.search(name))


MAX_DEPTH = 32


def redact(value: Any, *, name: str = "", depth: int = 0) -> Any:
    """Return a JSON-safe copy of value with every secret-named field replaced by REDACTED."""
    if name and is_secret_name(name):
        return REDACTED
    if depth > MAX_DEPTH and isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return "(nested too deep to record)"
    if isinstance(value, Mapping):
        return {storable(str(key)): redact(item, name=str(key), depth=depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [redact(item, depth=depth + 1) for item in value]
    if isinstance(value, str):
        return storable(value)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return storable(str(value))


def storable(text: str) -> str:
    """Text PostgreSQL can keep (hostile input may carry what it refuses): a NUL becomes U+FFFD, a lone
    surrogate its backslash escape."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
