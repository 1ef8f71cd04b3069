"""Fixtures shared by the whole suite: the root user, callers, users with keys, signed API clients, and member
accounts beside the management account (123456789012)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import Account
from directory.models import User
from directory.services import access_keys, account_aliases, attachments, login_profiles, users
from directory.services.accounts import create_account
from directory.services.root import RootCredentials, bootstrap_root_user
from policies.authorization import Caller
from tests.support.signing import SignedClient

ROOT_PASSWORD = "Root-Passw0rd!-for-tests"
# The system policy that lets a user manage their own password, keys and MFA devices, as AWS's example does.
SELF_SERVICE = ("arn:aws:iam::aws:policy/IAMUserSelfManageCredentials",)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Every test starts with no sign-in failures on record for any client (this worker's keys only)."""
    from iam_console import throttle

    throttle.reset_all()
    yield


@pytest.fixture
def root_credentials(db) -> RootCredentials:
    return bootstrap_root_user(user_name="root", password=ROOT_PASSWORD, with_access_key=True)


@pytest.fixture
def root(root_credentials) -> User:
    return User.objects.get(is_superuser=True)


@pytest.fixture
def root_caller(root) -> Caller:
    return Caller(principal=root, via="api")


@pytest.fixture
def root_api(root_credentials) -> SignedClient:
    """The REST API as a script signing with the root user's access key."""
    return SignedClient(root_credentials.access_key_id, root_credentials.secret_access_key)


def create_test_user(caller: Caller, user_name: str, *, path: str = "/", password: str | None = None,
                     access_key: bool = False, policies: tuple[str, ...] = ()) -> User:
    """An IAM user of the caller's account, optionally with a console password and an access key."""
    user = users.create_user(caller=caller, user_name=user_name, path=path)
    for policy_arn in policies:
        attachments.attach_user_policy(caller=caller, user_name=user_name, policy_arn=policy_arn)
    if password:
        login_profiles.create_login_profile(caller=caller, user_name=user_name, password=password)
    secret = None
    if access_key:
        new_key = access_keys.create_access_key(caller=caller, user_name=user_name)
        secret = (new_key.access_key.access_key_id, new_key.secret_access_key)
    user.refresh_from_db()
    user.test_access_key = secret
    return user


@pytest.fixture
def make_user(root_caller):
    """Create an IAM user of the management account, optionally with a console password and an access key."""

    def make(user_name: str, **kwargs):
        return create_test_user(root_caller, user_name, **kwargs)

    return make


@dataclass
class MemberAccount:
    """A member account made as the Organizations API's CreateAccount makes one, and handles to act in it."""

    account: Account
    root: User

    @property
    def id(self) -> str:
        return self.account.pk

    @property
    def caller(self) -> Caller:
        """The account's root user, as a caller (it has no password, but services need none)."""
        return Caller(principal=self.root, via="api")

    def make_user(self, user_name: str, **kwargs) -> User:
        return create_test_user(self.caller, user_name, **kwargs)

    def root_api(self) -> SignedClient:
        """The REST API (or, with its key, boto3) as the account's root user: a fresh root access key."""
        new_key = access_keys.create_access_key(caller=self.caller)
        return SignedClient(new_key.access_key.access_key_id, new_key.secret_access_key)


@pytest.fixture
def make_account(root_caller):
    """Create a member account beside the management account: `make_account("Team", alias="team")`."""
    made = 0

    def make(name: str = "Member", *, email: str | None = None, alias: str | None = None) -> MemberAccount:
        nonlocal made
        made += 1
        created = create_account(caller=root_caller, account_name=name,
                                 email=email or f"member-{made}-{os.getpid()}@example.com")
        member = MemberAccount(account=created.account, root=created.root)
        if alias:
            account_aliases.create_account_alias(caller=member.caller, account_alias=alias)
            member.account.refresh_from_db()
        return member

    return make


@pytest.fixture
def user_api(make_user):
    """The REST API as a script signing with a fresh IAM user's key; returns (user, client)."""

    def make(user_name: str = "alice", **kwargs):
        user = make_user(user_name, access_key=True, **kwargs)
        key_id, secret = user.test_access_key
        return user, SignedClient(key_id, secret)

    return make


def pytest_collection_modifyitems(config, items) -> None:
    """Skip browser tests, with the reason, only outside CI and only when Chromium is missing."""
    ci = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
    if ci or Path("/usr/bin/chromium").exists():
        return
    skip = pytest.mark.skip(reason="Chromium is not installed at /usr/bin/chromium: apt-get install -y chromium "
                                   "(python3 dev.py test installs it when it can)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
