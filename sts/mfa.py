"""Checking the MFA code an AssumeRole request carries, against the caller's device named by its serial number."""

from __future__ import annotations

import re
from collections.abc import Callable

from directory.models import User
from iam_console import guesses
from iam_console.guesses import Secret

SERIAL_NUMBER = re.compile(r"[\w+=/:,.@-]{9,256}", re.ASCII)
TOKEN_CODE = re.compile(r"\d{6}", re.ASCII)

# The MFA device store registers how to verify a one-time code: (user, serial_number, code, *, client) -> bool.
# It must verify against that one device only, inside select_for_update, refuse a code already used, and count
# and throttle every attempt (Throttling while the client or the device must wait).
Verifier = Callable[..., bool]
_verifiers: list[Verifier] = []


def register_verifier(verifier: Verifier) -> None:
    if verifier not in _verifiers:
        _verifiers.append(verifier)


def unregister_verifier(verifier: Verifier) -> None:
    if verifier in _verifiers:
        _verifiers.remove(verifier)


def verify_code(user: User | None, serial_number: str, token_code: str, *, client: str | None) -> bool:
    """True when a registered device store accepts the code; with no store, no code is ever accepted.

    A caller with no device of its own (a role session) is still counted against its client."""
    if user is None:
        guesses.admit(Secret.MFA_CODE, client=client)
        guesses.refused(Secret.MFA_CODE, client=client)
        return False
    return any(verifier(user, serial_number, token_code, client=client) for verifier in _verifiers)
