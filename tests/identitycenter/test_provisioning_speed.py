"""The benchmarks of the issue, kept as tests: one permission set provisioned into 100 accounts within 5 seconds
(a change brought to all 100 by one ProvisionPermissionSet; the first provisioning by 100 assignment jobs is
measured beside it), and GetRoleCredentials behind the portal API. Times are printed, not asserted: the
shared machine's load decides them; the tests assert the behaviour and the round trips."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Account
from directory.models import Role
from iam_console.console.views_portal import PORTAL_SESSION_KEY
from identitycenter.models import ProvisionedRole
from identitycenter.services import portal
from tests.identitycenter.conftest import finish
from tests.identitycenter.test_portal import setup, signed_in  # noqa: F401 - the portal's fixture

pytestmark = pytest.mark.django_db
ACCOUNTS = 100
BUDGET_SECONDS = 5.0
INLINE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]})


def test_one_permission_set_reaches_100_accounts_and_a_change_reaches_them_all(sso, instance_arn, people, capsys):
    Account.objects.bulk_create([Account(id=f"{900000000000 + n}", name=f"Bench {n}", email=f"bench-{n}@example.com")
                                 for n in range(ACCOUNTS)])
    ps = sso("CreatePermissionSet", InstanceArn=instance_arn, Name="Bench")["PermissionSet"]["PermissionSetArn"]
    both = {"InstanceArn": instance_arn, "PermissionSetArn": ps}
    sso("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    sso("PutInlinePolicyToPermissionSet", **both, InlinePolicy=INLINE)
    group = people.group("Everyone")
    statuses = [sso("CreateAccountAssignment", **both, TargetId=f"{900000000000 + n}", TargetType="AWS_ACCOUNT",
                    PrincipalType="GROUP", PrincipalId=group)["AccountAssignmentCreationStatus"]
                for n in range(ACCOUNTS)]

    started = time.perf_counter()
    assert {finish(status) for status in statuses} == {"SUCCEEDED"}
    first = time.perf_counter() - started
    assert Role.objects.filter(path="/aws-reserved/sso.amazonaws.com/").count() == ACCOUNTS

    sso("AttachManagedPolicyToPermissionSet", **both, ManagedPolicyArn="arn:aws:iam::aws:policy/IAMUserChangePassword")
    status = sso("ProvisionPermissionSet", **both,
                 TargetType="ALL_PROVISIONED_ACCOUNTS")["PermissionSetProvisioningStatus"]
    started = time.perf_counter()
    assert finish(status) == "SUCCEEDED"
    again = time.perf_counter() - started
    assert {row.role.policy_attachments.count() for row in ProvisionedRole.objects.select_related("role")} == {2}
    with capsys.disabled():
        print(f"\nprovisioning into {ACCOUNTS} accounts: first {first:.2f} s, a change to all {again:.2f} s")
    # The figures are the benchmark (target: a change to all 100 accounts within BUDGET_SECONDS), printed for the
    # README; the test asserts what the code controls (every role made, every change reached), not the clock.


def test_get_role_credentials_for_a_token_p50(setup, capsys):  # noqa: F811
    """The service behind the portal API's GetRoleCredentials (token lookup, assignment check, a role session and
    its audit event), measured without the wire; the issue's target for the whole request is p50 ≤ 10 ms."""
    from identitycenter.services import oidc

    browser = signed_in()
    session = portal.live_session(browser.session[PORTAL_SESSION_KEY])
    app = oidc.register_client(client_name="bench", client_type="public")
    issued = oidc._issue(app.client, session)
    account_id = setup["team"].account.pk
    timings = []
    for _ in range(200):
        started = time.perf_counter()
        oidc.get_role_credentials(access_token=issued.access_token, account_id=account_id, role_name="ReadOnly")
        timings.append(time.perf_counter() - started)
    p50 = statistics.median(timings)
    with capsys.disabled():
        print(f"\nGetRoleCredentials service p50 {p50 * 1000:.2f} ms over {len(timings)} calls")
    # The time depends on the shared machine's load (printed for the README); what the code controls is its round
    # trips: the token with its session and person, the assigned role, the session, its grant, the audit event.
    with CaptureQueriesContext(connection) as queries:
        oidc.get_role_credentials(access_token=issued.access_token, account_id=account_id, role_name="ReadOnly")
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) <= 6, "\n".join(statements)
