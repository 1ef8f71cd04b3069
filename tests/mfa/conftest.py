"""MFA fixtures: enrol a device through the services, computing codes the way an authenticator app does."""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pytest

from directory.mfa import services as mfa
from directory.mfa import totp
from policies.authorization import Caller
from tests.console.conftest import root_console  # noqa: F401 - shared console fixture


@dataclass
class Enrolled:
    serial_number: str
    seed: bytes
    recovery_codes: list[str]

    def code(self, offset: int = 0) -> str:
        """The app's code `offset` steps from now."""
        return totp.code_at(self.seed, totp.current_step() + offset)


def seed_from(base32_seed: str) -> bytes:
    return base64.b32decode(base32_seed + "=" * (-len(base32_seed) % 8))


def enrol_device(caller: Caller, *, user_name: str | None = None, name: str = "phone") -> Enrolled:
    created = mfa.create_virtual_mfa_device(caller=caller, user_name=user_name, virtual_mfa_device_name=name)
    seed = seed_from(created.base32_string_seed)
    now = totp.current_step()
    enabled = mfa.enable_mfa_device(caller=caller, user_name=user_name, serial_number=created.serial_number,
                                    authentication_code_1=totp.code_at(seed, now - 1),
                                    authentication_code_2=totp.code_at(seed, now))
    return Enrolled(created.serial_number, seed, enabled.recovery_codes)


@pytest.fixture
def enrol(root_caller):
    """Enrol a virtual MFA device for a user (as root, unless a caller is given)."""

    def make(user_name: str, *, name: str = "phone", caller: Caller | None = None) -> Enrolled:
        return enrol_device(caller or root_caller, user_name=user_name, name=name)

    return make
