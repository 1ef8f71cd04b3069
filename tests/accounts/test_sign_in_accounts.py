"""Console sign-in knows the account: by id, by alias, from the account's own link, remembered in a cookie; the
same user name in two accounts is two people; an account that does not exist answers exactly as a wrong password
does, with the same throttling and locks; a member root signs in only once it has been given a password."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import Account
from audit.models import AuditEvent
from directory.models import User
from directory.services import accounts
from tests.accounts.isolation import MANAGEMENT
from tests.security.test_sign_in_protection import error_text, from_ip, without_times

pytestmark = pytest.mark.django_db

A_PASSWORD = "Alice-in-A-Passw0rd!"
B_PASSWORD = "Alice-in-B-Passw0rd!"
ACCOUNT_COOKIE = "iam_sign_in_account"


def sign_in(client: Client, account: str, user_name: str, password: str, *, path: str = "/sign-in/"):
    return client.post(path, {"account": account, "user_name": user_name, "password": password})


@pytest.fixture
def two_alices(make_user, make_account):
    make_user("alice", password=A_PASSWORD)
    member = make_account("Team B", alias="team-b")
    member.make_user("alice", password=B_PASSWORD)
    return member


def signed_in_user(client: Client) -> User:
    return User.objects.get(pk=client.session["_auth_user_id"])


def test_the_same_user_name_signs_in_to_the_account_named_by_id_or_alias(two_alices):
    member = two_alices
    for account, password, expected in ((MANAGEMENT, A_PASSWORD, MANAGEMENT), (member.id, B_PASSWORD, member.id),
                                        ("team-b", B_PASSWORD, member.id), ("TEAM-B", B_PASSWORD, member.id)):
        client = Client()
        assert sign_in(client, account, "alice", password).status_code == 302
        assert signed_in_user(client).account_id == expected
    # Each alice's password is her own account's.
    assert sign_in(Client(), "team-b", "alice", A_PASSWORD).status_code == 401
    assert sign_in(Client(), MANAGEMENT, "alice", B_PASSWORD).status_code == 401


def test_the_console_header_and_dashboard_show_the_account_and_its_sign_in_link(two_alices):
    client = Client()
    sign_in(client, "team-b", "alice", B_PASSWORD)
    page = client.get("/").content.decode()
    assert '<span class="account" id="header-account"' in page and "<code>team-b</code>" in page
    assert f'<code id="account-id">{two_alices.id}</code>' in page
    assert "http://testserver/sign-in/team-b/" in page


def test_the_accounts_own_link_fills_in_the_account_and_signs_in_to_it(two_alices):
    client = Client()
    page = client.get("/sign-in/team-b/")
    assert page.status_code == 200
    assert page.context["form"]["account"].value() == "team-b"
    assert 'autofocus' in str(page.context["form"]["user_name"])
    assert 'action="/sign-in/team-b/"' in page.content.decode()
    assert sign_in(client, "team-b", "alice", B_PASSWORD, path="/sign-in/team-b/").status_code == 302
    assert signed_in_user(client).account_id == two_alices.id


def test_the_account_signed_in_to_is_remembered_for_the_next_sign_in(two_alices):
    client = Client()
    assert client.get("/sign-in/").context["form"]["account"].value() in (None, "")
    response = sign_in(client, "team-b", "alice", B_PASSWORD)
    cookie = response.cookies[ACCOUNT_COOKIE]
    assert (cookie.value, cookie["httponly"], cookie["samesite"]) == ("team-b", True, "Lax")
    client.post("/sign-out/")
    assert client.get("/sign-in/").context["form"]["account"].value() == "team-b"
    # A refused attempt remembers nothing.
    stranger = Client()
    assert ACCOUNT_COOKIE not in sign_in(stranger, "team-b", "alice", "wrong").cookies


def test_an_account_left_empty_is_the_management_account(two_alices):
    client = Client()
    assert sign_in(client, "", "alice", A_PASSWORD).status_code == 302
    assert signed_in_user(client).account_id == MANAGEMENT


def test_an_unknown_account_answers_exactly_as_a_wrong_password(two_alices, settings):
    answers = {}
    cases = {"wrong password": ("team-b", "alice"), "unknown account id": ("999999999999", "alice"),
             "unknown alias": ("no-such-team", "alice"), "unknown user": ("team-b", "ghost")}
    for label, (account, name) in cases.items():
        answers[label] = [(r.status_code, without_times(error_text(r)))
                          for r in (sign_in(from_ip(i), account, name, "Wrong-Passw0rd!")
                                    for i in range(settings.IAM_LOCKOUT_THRESHOLD + 3))]
    assert len({tuple(answer) for answer in answers.values()}) == 1, answers
    assert answers["unknown account id"][0] == (401, "Incorrect user name or password.")
    assert "temporarily locked" in answers["unknown alias"][-1][1]
    # The attempts on unknown accounts are on record with no account; the member's own are in its trail.
    assert AuditEvent.objects.filter(event_name="ConsoleLogin", account_id="").count() == \
        2 * (settings.IAM_LOCKOUT_THRESHOLD + 3)
    assert AuditEvent.objects.filter(event_name="ConsoleLogin", account_id=two_alices.id,
                                     outcome="Failure").count() == 2 * (settings.IAM_LOCKOUT_THRESHOLD + 3)


def test_one_client_trying_many_accounts_is_throttled(two_alices, settings):
    settings.IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = 60
    attacker = from_ip(7)
    statuses = [sign_in(attacker, f"{100000000000 + i}", "alice", "wrong").status_code for i in range(30)]
    free = settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES
    assert statuses[:free] == [401] * free and set(statuses[free:]) == {429}
    assert sign_in(attacker, "team-b", "alice", B_PASSWORD).status_code == 429
    assert sign_in(from_ip(8), "team-b", "alice", B_PASSWORD).status_code == 302


def test_a_lock_is_of_one_accounts_user_only(two_alices, settings):
    for number in range(10, 10 + settings.IAM_LOCKOUT_THRESHOLD):
        sign_in(from_ip(number), MANAGEMENT, "alice", "wrong-password")
    assert User.objects.get(account_id=MANAGEMENT, user_name="alice").locked_until is not None
    assert User.objects.get(account_id=two_alices.id, user_name="alice").locked_until is None
    assert "temporarily locked" in error_text(sign_in(from_ip(99), MANAGEMENT, "alice", A_PASSWORD))
    assert sign_in(from_ip(98), "team-b", "alice", B_PASSWORD).status_code == 302


def test_a_member_root_signs_in_only_once_given_a_password(root_caller, two_alices):
    answer = sign_in(Client(), "team-b", "root", "Any-Guess-Passw0rd!")
    assert (answer.status_code, error_text(answer)) == (401, "Incorrect user name or password.")
    given = accounts.create_member_root_password(caller=root_caller, account_id=two_alices.id)
    client = Client()
    assert sign_in(client, "team-b", "root", given.password).status_code == 302
    user = signed_in_user(client)
    assert (user.is_root, user.account_id) == (True, two_alices.id)
    assert "<code>team-b</code>" in client.get("/").content.decode()


def test_a_suspended_account_signs_nobody_in(two_alices):
    Account.objects.filter(pk=two_alices.id).update(status=Account.Status.SUSPENDED)
    answer = sign_in(Client(), "team-b", "alice", B_PASSWORD)
    assert (answer.status_code, error_text(answer)) == (401, "Incorrect user name or password.")
