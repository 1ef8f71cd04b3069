"""The benchmark of the issue, kept as a test: one permission set provisioned into 100 accounts within 5 seconds
(the first provisioning by 100 assignment jobs, then a change brought to all 100 by one ProvisionPermissionSet)."""

from __future__ import annotations

import json
import time

import pytest

from accounts.models import Account
from directory.models import Role
from identitycenter.models import ProvisionedRole
from tests.identitycenter.conftest import finish

pytestmark = pytest.mark.django_db
ACCOUNTS = 100
BUDGET_SECONDS = 5.0
INLINE = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]})


def test_one_permission_set_reaches_100_accounts_within_five_seconds(sso, instance_arn, people, capsys):
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
    assert first <= BUDGET_SECONDS and again <= BUDGET_SECONDS
