"""Member accounts: how CreateAccount makes one, what only the management account may do, aliases and the
account's own description."""

from __future__ import annotations

import json

import pytest

from accounts.errors import EmailAlreadyExists
from accounts.models import Account
from accounts.selectors import account_by_id_or_alias, management_account
from audit.models import AuditEvent
from directory.models import Role, User
from directory.services import account_aliases, accounts, users
from directory.services.sign_in import SignInAttempt, SignInFailed, sign_in
from iam_console.errors import AccessDenied, EntityAlreadyExists, NoSuchEntity, ValidationError
from policies.authorization import Caller

pytestmark = pytest.mark.django_db
ATTEMPT = SignInAttempt(source_ip="192.0.2.7", user_agent="tests")


def test_the_first_account_is_the_management_account_named_by_the_setting(root):
    account = management_account()
    assert (account.pk, account.is_management, account.status) == ("123456789012", True, "ACTIVE")
    assert account.email == "123456789012@accounts.invalid" and account.name == "Management account"
    assert root.account_id == account.pk and root.arn == "arn:aws:iam::123456789012:root"


def test_a_member_account_has_a_random_id_a_passwordless_root_and_the_access_role(make_account):
    member = make_account("Team A", email="team-a@example.com")
    account = member.account
    assert len(account.pk) == 12 and account.pk.isdigit() and account.pk != "123456789012"
    assert (account.name, account.email, account.status, account.joined_method, account.is_management) == (
        "Team A", "team-a@example.com", "ACTIVE", "CREATED", False)
    root = User.objects.get(account=account, is_superuser=True)
    assert not root.has_usable_password() and not root.has_login_profile
    role = Role.objects.get(account=account, role_name="OrganizationAccountAccessRole")
    assert role.arn == f"arn:aws:iam::{account.pk}:role/OrganizationAccountAccessRole"
    trust = json.loads(role.assume_role_policy_document)
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                   "Action": "sts:AssumeRole"}]
    assert [a.policy.arn for a in role.policy_attachments.all()] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    created = AuditEvent.objects.get(event_name="CreateAccount", outcome="Success")
    assert (created.account_id, created.response_elements["accountId"]) == ("123456789012", account.pk)


def test_account_ids_never_collide_and_emails_are_unique_case_insensitively(make_account):
    ids = {make_account(f"Team {n}").id for n in range(5)}
    assert len(ids) == 5
    make_account("One", email="Owner@Example.com")
    with pytest.raises(EmailAlreadyExists) as refused:
        make_account("Two", email="owner@example.COM")
    assert refused.value.failure_reason == "EMAIL_ALREADY_EXISTS"
    assert Account.objects.filter(email_key="owner@example.com").count() == 1


@pytest.mark.parametrize(("name", "email"), [("", "a@example.com"), ("x" * 51, "a@example.com"),
                                             ("Team", "not-an-address"), ("Team", "a@b.c" + "d" * 64)])
def test_bad_account_names_and_emails_are_refused_and_nothing_is_created(root_caller, name, email):
    with pytest.raises(ValidationError):
        accounts.create_account(caller=root_caller, account_name=name, email=email)
    assert Account.objects.count() == 1


def test_only_the_management_account_creates_accounts_and_gives_root_passwords(make_account):
    member = make_account()
    with pytest.raises(AccessDenied):
        accounts.create_account(caller=member.caller, account_name="Sneaky", email="sneaky@example.com")
    with pytest.raises(AccessDenied):
        accounts.create_member_root_password(caller=member.caller, account_id=member.id)
    assert Account.objects.count() == 2


def test_a_management_administrator_needs_the_permissions_too(make_account, make_user):
    member = make_account()
    nobody = Caller(principal=make_user("nobody"))
    with pytest.raises(AccessDenied):
        accounts.create_account(caller=nobody, account_name="Team", email="team@example.com")
    with pytest.raises(AccessDenied):
        accounts.create_member_root_password(caller=nobody, account_id=member.id)
    admin = Caller(principal=make_user("admin", policies=("arn:aws:iam::aws:policy/AdministratorAccess",)))
    assert accounts.create_account(caller=admin, account_name="Team", email="team@example.com").account.pk


def test_a_member_root_cannot_sign_in_until_the_management_account_gives_it_a_password(root_caller, make_account):
    member = make_account(alias="team-a")
    with pytest.raises(SignInFailed) as failed:
        sign_in(attempt=ATTEMPT, account=member.id, user_name="root", password="Any-Guess-1!")
    assert failed.value.message == "Incorrect user name or password."
    given = accounts.create_member_root_password(caller=root_caller, account_id=member.id)
    assert len(given.password) >= 20
    assert sign_in(attempt=ATTEMPT, account="team-a", user_name="root", password=given.password).pk == member.root.pk
    # Shown once: the audit record names the account and the user, never the password.
    event = AuditEvent.objects.get(event_name="CreateLoginProfile", outcome="Success")
    assert given.password not in json.dumps([event.request_parameters, event.response_elements])
    assert (event.account_id, event.request_parameters["account_id"]) == ("123456789012", member.id)
    with pytest.raises(EntityAlreadyExists):
        accounts.create_member_root_password(caller=root_caller, account_id=member.id)


def test_root_passwords_are_given_to_member_accounts_only(root_caller):
    for account_id in ("123456789012", "999999999999", "not-an-id"):
        with pytest.raises(NoSuchEntity):
            accounts.create_member_root_password(caller=root_caller, account_id=account_id)


def test_aliases_are_unique_across_the_directory_and_name_their_own_account(root_caller, make_account):
    member = make_account()
    account_aliases.create_account_alias(caller=root_caller, account_alias="corp")
    with pytest.raises(EntityAlreadyExists):
        account_aliases.create_account_alias(caller=member.caller, account_alias="corp")
    account_aliases.create_account_alias(caller=member.caller, account_alias="corp-team")
    assert account_aliases.list_account_aliases(caller=root_caller) == ["corp"]
    assert account_aliases.list_account_aliases(caller=member.caller) == ["corp-team"]
    # An account deletes its own alias only: another's answers as an alias nobody holds.
    with pytest.raises(NoSuchEntity):
        account_aliases.delete_account_alias(caller=member.caller, account_alias="corp")
    assert account_by_id_or_alias("corp").pk == "123456789012"
    assert account_by_id_or_alias("CORP-TEAM").pk == member.id
    assert account_by_id_or_alias(member.id).pk == member.id


def test_the_system_acts_in_an_account_only_when_one_is_named(make_account):
    member = make_account()
    with pytest.raises(RuntimeError):
        users.create_user(caller=Caller.system(), user_name="job")
    made = users.create_user(caller=Caller.system(member.id), user_name="job")
    assert made.arn == f"arn:aws:iam::{member.id}:user/job"


def test_the_rest_api_describes_the_callers_account(root_api, make_account):
    member = make_account("Team A", alias="team-a")
    assert root_api.get("/api/v1/account/").json()["account"] == {
        "account_id": "123456789012", "name": "Management account", "alias": None,
        "email": "123456789012@accounts.invalid", "status": "ACTIVE", "is_management_account": True,
        "create_date": root_api.get("/api/v1/account/").json()["account"]["create_date"]}
    body = member.root_api().get("/api/v1/account/").json()["account"]
    assert (body["account_id"], body["name"], body["alias"], body["is_management_account"]) == (
        member.id, "Team A", "team-a", False)


def test_reading_the_account_is_governed_by_policy(user_api):
    _, api = user_api("nobody")
    assert api.get("/api/v1/account/").json()["error"]["code"] == "AccessDenied"


def test_the_keys_and_sessions_of_a_suspended_account_sign_nothing(make_account):
    member = make_account()
    api = member.root_api()
    assert api.get("/api/v1/sts/caller-identity").status_code == 200
    Account.objects.filter(pk=member.id).update(status=Account.Status.SUSPENDED)
    response = api.get("/api/v1/sts/caller-identity")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "InvalidClientTokenId")
    Account.objects.filter(pk=member.id).update(status=Account.Status.ACTIVE)
    assert api.get("/api/v1/sts/caller-identity").status_code == 200
