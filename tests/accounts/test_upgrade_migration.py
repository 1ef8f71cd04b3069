"""Upgrading a single-account directory in place: a database made by the previous release, with something of
everything in it, migrates forward into the management account with every row, id, ARN, key, secret, password,
session and MFA device working as before."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from directory.credentials import derive_secret_access_key, new_secret_nonce
from directory.mfa import sealing, totp
from sts.secrets import derive_session_secret, new_session_token, token_digest
from tests.support.signing import SignedClient

ACCOUNT = "123456789012"
# The previous release: every app at its last migration before accounts existed.
PREVIOUS_RELEASE = [("directory", "0008_mfa_device_tags"), ("policies", "0005_policy_tags"),
                    ("sts", "0004_federation"), ("audit", "0001_initial"), ("accounts", None)]
PASSWORD = "Legacy-Passw0rd!-alice"
ROOT_PASSWORD = "Legacy-Root-Passw0rd!"
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*",
                                                               "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/alice"}, "Action": "sts:AssumeRole"}]})


def _migrate(targets):
    """Migrate to `targets` ((app, None): none of the app's migrations) and return the models of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


def _leaf_nodes():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def fill_previous_release(old) -> dict:
    """Something of everything, written with the previous release's models; returns what must survive."""
    model = old.get_model
    now = timezone.now()
    User = model("directory", "User")
    User.objects.create(user_name="root", user_id="AIDAUPGRADEROOT00001", is_superuser=True,
                        password=make_password(ROOT_PASSWORD), login_profile_create_date=now)
    alice = User.objects.create(user_name="alice", user_id="AIDAUPGRADEALICE0001", path="/eng/",
                                password=make_password(PASSWORD), login_profile_create_date=now,
                                password_last_changed=now)
    nonce = new_secret_nonce()
    key = model("directory", "AccessKey").objects.create(user=alice, access_key_id="AKIAUPGRADEALICE0001",
                                                         secret_nonce=nonce)
    group = model("directory", "Group").objects.create(group_name="admins", group_id="AGPAUPGRADEADMINS001")
    model("directory", "GroupMembership").objects.create(user=alice, group=group)
    role = model("directory", "Role").objects.create(role_name="deployer", role_id="AROAUPGRADEDEPLOY001",
                                                     assume_role_policy_document=TRUST)
    Policy, Version = model("policies", "ManagedPolicy"), model("policies", "PolicyVersion")
    policy = Policy.objects.create(policy_name="Legacy", policy_id="ANPAUPGRADELEGACY001")
    Version.objects.create(policy=policy, version_id="v1", document=DOCUMENT, is_default_version=True)
    for name, owner in (("UserPolicyAttachment", {"user": alice}), ("GroupPolicyAttachment", {"group": group}),
                        ("RolePolicyAttachment", {"role": role})):
        model("directory", name).objects.create(policy=policy, **owner)
    model("directory", "UserInlinePolicy").objects.create(user=alice, policy_name="inline", document=DOCUMENT)
    seed = totp.new_seed()
    serial = f"arn:aws:iam::{ACCOUNT}:mfa/alice-phone"
    model("directory", "MFADevice").objects.create(
        user=alice, name="alice-phone", serial_number=serial, confirmed=True, enable_date=now,
        sealed_seed=sealing.seal(seed, user_id=alice.user_id, serial_number=serial))
    token = new_session_token()
    session_nonce = new_secret_nonce()
    model("sts", "RoleSession").objects.create(
        access_key_id="ASIAUPGRADESESSION01", secret_nonce=session_nonce, token_digest=token_digest(token),
        role=role, session_name="nightly", expiration=now + timedelta(hours=1),
        caller_arn=f"arn:aws:iam::{ACCOUNT}:user/eng/alice", source_user=alice)
    model("sts", "OpenIDConnectProvider").objects.create(url="token.ci.example", client_ids=["sts.amazonaws.com"])
    model("sts", "SAMLProvider").objects.create(name="corp-idp", metadata_document="<md/>", entity_id="urn:corp",
                                                valid_until=now + timedelta(days=365))
    model("directory", "AccountAlias").objects.create(alias="legacy-corp")
    model("directory", "PasswordPolicy").objects.create(minimum_password_length=12, require_numbers=True)
    requirement = model("directory", "MFARequirement").objects.create(scope="Groups")
    requirement.groups.add(group)
    report = model("directory", "CredentialReport").objects.create(state="COMPLETE", generated_at=now,
                                                                    row_count=2, size_bytes=5)
    model("directory", "CredentialReportChunk").objects.create(report=report, seq=0, data=b"a,b\n")
    model("policies", "ServiceDefinition").objects.create(service_prefix="docs", name="Docs", definition={})
    Event = model("audit", "AuditEvent")
    Event.objects.create(event_name="CreateUser", actor_arn=f"arn:aws:iam::{ACCOUNT}:root", outcome="Success")
    Event.objects.create(event_name="ConsoleLogin", actor_arn="anonymous", outcome="Failure")
    return {"alice_secret": derive_secret_access_key(key.access_key_id, nonce), "seed": seed, "serial": serial,
            "session": ("ASIAUPGRADESESSION01", derive_session_secret("ASIAUPGRADESESSION01", session_nonce), token),
            "report_id": report.pk, "policy_pk": policy.pk}


@pytest.mark.django_db(transaction=True)
def test_a_single_account_directory_upgrades_into_the_management_account_with_everything_working():
    try:
        old = _migrate(PREVIOUS_RELEASE)
        with pytest.raises(LookupError):
            old.get_model("accounts", "Account")
        kept = fill_previous_release(old)
        _migrate(_leaf_nodes())

        from accounts.models import Account
        from audit.models import AuditEvent
        from directory.mfa.devices import check_code
        from directory.mfa.requirement import get_mfa_requirement
        from directory.models import CredentialReport, Group, MFADevice, PasswordPolicy, Role, User
        from directory.passwords import effective_policy
        from directory.reports.services import get_credential_report
        from policies.authorization import Caller
        from policies.models import ManagedPolicy, ServiceDefinition
        from sts.models import OpenIDConnectProvider, SAMLProvider

        account = Account.objects.get()
        assert (account.pk, account.is_management, account.alias, account.name, account.status) == (
            ACCOUNT, True, "legacy-corp", "Management account", "ACTIVE")
        # Every id and ARN is what it was.
        alice = User.objects.get(user_id="AIDAUPGRADEALICE0001")
        assert (alice.account_id, alice.arn) == (ACCOUNT, f"arn:aws:iam::{ACCOUNT}:user/eng/alice")
        root = User.objects.get(user_id="AIDAUPGRADEROOT00001")
        assert root.arn == f"arn:aws:iam::{ACCOUNT}:root"
        assert Group.objects.get(group_id="AGPAUPGRADEADMINS001").arn == f"arn:aws:iam::{ACCOUNT}:group/admins"
        assert Role.objects.get(role_id="AROAUPGRADEDEPLOY001").arn == f"arn:aws:iam::{ACCOUNT}:role/deployer"
        legacy = ManagedPolicy.objects.get(policy_id="ANPAUPGRADELEGACY001")
        assert (legacy.pk, legacy.arn) == (kept["policy_pk"], f"arn:aws:iam::{ACCOUNT}:policy/Legacy")
        assert all(p.account_id is None for p in ManagedPolicy.objects.filter(is_system=True))
        assert OpenIDConnectProvider.objects.get().arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.ci.example"
        assert SAMLProvider.objects.get().arn == f"arn:aws:iam::{ACCOUNT}:saml-provider/corp-idp"
        assert ServiceDefinition.objects.get().arn == f"arn:aws:iam::{ACCOUNT}:service/docs"
        assert MFADevice.objects.get().serial_number == kept["serial"]
        assert PasswordPolicy.objects.get().account_id == ACCOUNT
        assert set(AuditEvent.objects.values_list("account_id", flat=True)) == {ACCOUNT}
        assert CredentialReport.objects.get().account_id == ACCOUNT

        # The key's signature still verifies, the role session still authenticates.
        identity = SignedClient("AKIAUPGRADEALICE0001", kept["alice_secret"]).get("/api/v1/sts/caller-identity")
        assert identity.json() == {**identity.json(), "account": ACCOUNT,
                                   "arn": f"arn:aws:iam::{ACCOUNT}:user/eng/alice"}
        session_id, session_secret, token = kept["session"]
        as_session = SignedClient(session_id, session_secret, session_token=token).get("/api/v1/sts/caller-identity")
        assert as_session.json()["arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/nightly"
        # The passwords still sign in (by the alias, or with no account at all, as before); the MFA device still
        # verifies its codes.
        assert Client().post("/sign-in/", {"account": "legacy-corp", "user_name": "root",
                                           "password": ROOT_PASSWORD}).status_code == 302
        assert Client().post("/sign-in/", {"user_name": "alice", "password": PASSWORD}).url == "/sign-in/mfa/"
        assert check_code(alice, kept["serial"], totp.code_at(kept["seed"], totp.current_step()), client="127.0.0.1")
        # The account's settings are the account's: the password policy, the report.
        assert get_credential_report(caller=Caller(principal=root)).pk == kept["report_id"]
        assert effective_policy(ACCOUNT).minimum_password_length == 12
        assert get_mfa_requirement(caller=Caller(principal=root)).group_names == ["admins"]
    finally:
        _migrate(_leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_fresh_database_has_no_account_until_it_bootstraps_one(settings):
    try:
        _migrate(PREVIOUS_RELEASE)
    finally:
        _migrate(_leaf_nodes())
    from accounts.models import Account
    from directory.services.root import bootstrap_root_user

    assert not Account.objects.exists()
    settings.IAM_ACCOUNT_ID = "210987654321"
    settings.IAM_ACCOUNT_NAME = "Platform"
    settings.IAM_ACCOUNT_EMAIL = "platform@example.com"
    bootstrap_root_user(user_name="root", password=ROOT_PASSWORD)
    account = Account.objects.get()
    assert (account.pk, account.name, account.email, account.is_management) == (
        "210987654321", "Platform", "platform@example.com", True)
