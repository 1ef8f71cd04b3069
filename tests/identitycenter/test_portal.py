"""The access portal at /start/: an invitation sets a person's password, they sign in, see what is assigned to them
directly and through groups, open the console in that role session or take credentials, and sign out;
deprovisioning ends their portal session and every role session issued to them at once."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from iam_console.errors import ExpiredToken
from identitycenter.models import PortalSession
from identitycenter.services import portal
from identitystore.services import users
from identitystore.services.store import identity_store_of
from sts.services import session_principal
from tests.console.conftest import root_console  # noqa: F401 - the root user's console
from tests.identitycenter.conftest import finish

pytestmark = pytest.mark.django_db
PASSWORD = "Portal-Passw0rd!"


@pytest.fixture
def setup(sso, instance_arn, people, make_account, root_caller):
    """ana, in the group Engineers, which holds ReadOnly in the account Team; ana has set her password."""
    team = make_account("Team")
    ps = sso("CreatePermissionSet", InstanceArn=instance_arn, Name="ReadOnly",
             SessionDuration="PT2H")["PermissionSet"]["PermissionSetArn"]
    sso("AttachManagedPolicyToPermissionSet", InstanceArn=instance_arn, PermissionSetArn=ps,
        ManagedPolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    ana = people.user("ana")
    group = people.group("Engineers", members=(ana,))
    status = sso("CreateAccountAssignment", InstanceArn=instance_arn, TargetId=team.account.pk,
                 TargetType="AWS_ACCOUNT", PermissionSetArn=ps, PrincipalType="GROUP",
                 PrincipalId=group)["AccountAssignmentCreationStatus"]
    assert finish(status) == "SUCCEEDED"
    invitation = portal.create_invitation(caller=root_caller, user_id=ana)
    browser = Client()
    page = browser.get(f"/start/invitation/{invitation.token}/")
    assert page.status_code == 200 and b"ana" in page.content
    done = browser.post(f"/start/invitation/{invitation.token}/", {"password": PASSWORD,
                                                                   "confirm_password": PASSWORD})
    assert done.status_code == 200 and b"Your password is set" in done.content
    assert browser.get(f"/start/invitation/{invitation.token}/").status_code == 404  # used once
    return {"team": team, "ana": ana, "token": invitation.token}


def signed_in(user_name: str = "ana", password: str = PASSWORD) -> Client:
    browser = Client()
    response = browser.post("/start/", {"user_name": user_name, "password": password})
    assert response.status_code == 302, response.content
    return browser


def test_a_person_signs_in_and_sees_what_their_group_is_assigned(setup):
    page = signed_in().get("/start/")
    assert page.status_code == 200
    assert re.search(rf'data-account="{setup["team"].account.pk}" data-role="ReadOnly"', page.content.decode())


def test_a_wrong_password_and_an_unknown_name_are_refused_alike(setup):
    wrong = Client().post("/start/", {"user_name": "ana", "password": "nope"})
    unknown = Client().post("/start/", {"user_name": "nobody", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert b"The user name or password is not correct." in wrong.content and \
        b"The user name or password is not correct." in unknown.content


def test_opening_the_console_lands_in_the_role_session_of_that_account(setup):
    browser = signed_in()
    account_id = setup["team"].account.pk
    response = browser.post("/start/console/", {"account_id": account_id, "role": "ReadOnly"})
    assert response.status_code == 302 and response["Location"] == "/"
    dashboard = browser.get("/")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "AWSReservedSSO_ReadOnly_" in body and account_id in body
    # The role's policy (IAMReadOnlyAccess) governs: reading users is allowed, in that account.
    assert browser.get("/users/").status_code == 200


def test_credentials_are_an_ordinary_role_session_with_a_profile(setup):
    browser = signed_in()
    account_id = setup["team"].account.pk
    page = browser.post("/start/credentials/", {"account_id": account_id, "role": "ReadOnly"})
    assert page.status_code == 200
    body = page.content.decode()
    key = re.search(r'AWS_ACCESS_KEY_ID="(ASIA\w+)"', body).group(1)
    assert "sso_session = portal" in body and f"sso_account_id = {account_id}" in body
    assert "sso_role_name = ReadOnly" in body and "sso_start_url = http://testserver/start/" in body
    principal = session_principal(key)
    assert principal.account_id == account_id and "AWSReservedSSO_ReadOnly_" in principal.arn
    assert principal.seconds_left() <= 2 * 3600


def test_nothing_is_opened_that_is_not_assigned(setup, make_account):
    other = make_account("Other")
    browser = signed_in()
    assert browser.post("/start/console/", {"account_id": other.account.pk, "role": "ReadOnly"}).status_code == 403
    assert browser.post("/start/credentials/", {"account_id": setup["team"].account.pk,
                                                "role": "Admin"}).status_code == 403
    assert Client().post("/start/credentials/", {"account_id": setup["team"].account.pk,
                                                 "role": "ReadOnly"})["Location"] == "/start/"


def test_sign_out_ends_the_portal_session(setup):
    browser = signed_in()
    browser.post("/start/sign-out/")
    assert b"portal-sign-in" in browser.get("/start/").content
    assert PortalSession.objects.get().ended_at is not None


@pytest.mark.parametrize("how", ["deactivated", "deleted"])
def test_deprovisioning_ends_the_portal_session_and_every_role_session_at_once(setup, root_caller, how):
    browser = signed_in()
    account_id = setup["team"].account.pk
    page = browser.post("/start/credentials/", {"account_id": account_id, "role": "ReadOnly"}).content.decode()
    key = re.search(r'AWS_ACCESS_KEY_ID="(ASIA\w+)"', page).group(1)
    console = signed_in()
    console.post("/start/console/", {"account_id": account_id, "role": "ReadOnly"})
    assert console.get("/").status_code == 200
    store = identity_store_of(root_caller.account_id)
    if how == "deactivated":
        users.update_user(caller=root_caller, identity_store_id=store.id, user_id=setup["ana"],
                          operations=[{"AttributePath": "UserStatus", "AttributeValue": "DISABLED"}])
    else:
        users.delete_user(caller=root_caller, identity_store_id=store.id, user_id=setup["ana"])
    with pytest.raises(ExpiredToken):
        session_principal(key)
    assert b"portal-sign-in" in browser.get("/start/").content
    assert console.get("/users/").status_code in (302, 403)


def test_the_operator_prints_an_invitation_link_that_works_once(people):
    from io import StringIO

    from django.core.management import call_command

    people.user("bo")
    out = StringIO()
    call_command("portal_invitation", "--user-name", "bo", "--base-url", "https://iam.example.com", stdout=out)
    link = out.getvalue().strip()
    assert link.startswith("https://iam.example.com/start/invitation/")
    path = link.removeprefix("https://iam.example.com")
    browser = Client()
    assert browser.post(path, {"password": PASSWORD, "confirm_password": PASSWORD}).status_code == 200
    assert browser.post(path, {"password": PASSWORD, "confirm_password": PASSWORD}).status_code == 403
    assert signed_in("bo").get("/start/").status_code == 200


def test_an_administrator_makes_the_invitation_on_the_persons_console_page(people, root_console):  # noqa: F811
    user_id = people.user("cy")
    page = root_console.post(f"/identity-store/people/{user_id}/", {"action": "invite"})
    assert page.status_code == 200
    link = re.search(r'http://testserver(/start/invitation/[\w-]+/)', page.content.decode()).group(1)
    browser = Client()
    assert browser.post(link, {"password": PASSWORD, "confirm_password": PASSWORD}).status_code == 200
    assert signed_in("cy").get("/start/").status_code == 200


def test_wrong_portal_passwords_are_counted_then_throttled(setup):
    browser = Client()
    statuses = [browser.post("/start/", {"user_name": "ana", "password": f"wrong-{n}"}).status_code
                for n in range(12)]
    assert statuses[0] == 401 and 429 in statuses
    throttled = browser.post("/start/", {"user_name": "ana", "password": PASSWORD})
    assert throttled.status_code == 429 and throttled["Retry-After"]  # not even the right password, meanwhile
