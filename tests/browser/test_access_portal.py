"""A person of the identity store, in Chromium: signs in to the access portal, picks an account and permission set,
and lands in the console in that role (role bar, account shown); then signs out of the portal."""

from __future__ import annotations

import pytest

from tests.identitycenter.conftest import finish, instance_arn, people, sso  # noqa: F401 - sso-admin fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Portal-Passw0rd!"


def test_a_person_signs_in_to_the_portal_and_lands_in_the_console_in_a_role(
        new_page, live_server, sso, instance_arn, people, make_account, root_caller):  # noqa: F811
    from identitycenter.services import portal

    team = make_account("Team")
    ps = sso("CreatePermissionSet", InstanceArn=instance_arn, Name="ReadOnly")["PermissionSet"]["PermissionSetArn"]
    sso("AttachManagedPolicyToPermissionSet", InstanceArn=instance_arn, PermissionSetArn=ps,
        ManagedPolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    ana = people.user("ana")
    status = sso("CreateAccountAssignment", InstanceArn=instance_arn, TargetId=team.account.pk,
                 TargetType="AWS_ACCOUNT", PermissionSetArn=ps, PrincipalType="USER",
                 PrincipalId=ana)["AccountAssignmentCreationStatus"]
    assert finish(status) == "SUCCEEDED"
    token = portal.create_invitation(caller=root_caller, user_id=ana).token

    page = new_page()
    page.goto(f"/start/invitation/{token}/")
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("Confirm the password").fill(PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_label("User name").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/start/")
    row = page.locator(f'tr[data-account="{team.account.pk}"][data-role="ReadOnly"]')
    row.get_by_role("button", name="Open the console").click()
    page.wait_for_url(f"{live_server.url}/")
    bar = page.locator("#role-bar").inner_text()
    assert "ReadOnly" in bar and team.account.pk in bar
    page.goto("/users/")
    assert page.locator("h1").inner_text() == "Users"
    assert page.csp_errors == []

    page.goto("/start/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/start/")
    assert page.get_by_role("button", name="Sign in").is_visible()
