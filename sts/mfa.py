"""Checking the MFA code an AssumeRole request carries, against the caller's device named by its serial number."""

from __future__ import annotations

import re
from collections.abc import Callable

from directory.models import User

SERIAL_NUMBER = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
TOKEN_CODE = re.compile(r"\d{6}", re.ASCII)

# The MFA device store registers how to verify a one-time code: (user, serial_number, code) -> bool. It must
# verify against that one device only, inside select_for_update, and refuse a code already used.
_verifiers: list[Callable[[User, str, str], bool]] = []


def register_verifier(verifier: Callable[[User, str, str], bool]) -> None:
    if verifier not in _verifiers:
        _verifiers.append(verifier)


def unregister_verifier(verifier: Callable[[User, str, str], bool]) -> None:
    if verifier in _verifiers:
        _verifiers.remove(verifier)


def verify_code(user: User | None, serial_number: str, token_code: str) -> bool:
    """True when a registered device store accepts the code; with no store, no code is ever accepted."""
    if user is None:
        return False
    return any(verifier(user, serial_number, token_code) for verifier in _verifiers)
