"""GetAccountAuthorizationDetails through boto3: every entity with its policies, filters, pages, query count."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iam_console.query.iam_details import get_account_authorization_details
from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT

pytestmark = pytest.mark.django_db(transaction=True)


def _populate(iam, users: int) -> str:
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_S3_READ, SetAsDefault=True)
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.put_group_policy(GroupName="devs", PolicyName="g-inline", PolicyDocument=ALLOW_S3_READ)
    for index in range(users):
        name = f"user{index}"
        iam.create_user(UserName=name, Tags=[{"Key": "n", "Value": str(index)}])
        iam.add_user_to_group(GroupName="devs", UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
        iam.put_user_policy(UserName=name, PolicyName="u-inline", PolicyDocument=ALLOW_S3_READ)
        iam.put_user_permissions_boundary(UserName=name, PermissionsBoundary=arn)
    iam.create_role(RoleName="runner", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT,
                    Tags=[{"Key": "k", "Value": "v"}])
    iam.put_role_policy(RoleName="runner", PolicyName="r-inline", PolicyDocument=ALLOW_S3_READ)
    return arn


def test_details_show_each_entity_with_its_policies(iam):
    arn = _populate(iam, users=1)
    details = iam.get_account_authorization_details(Filter=["User", "Group", "Role", "LocalManagedPolicy"])
    user = details["UserDetailList"][0]
    assert user["UserName"] == "user0" and user["GroupList"] == ["devs"]
    assert user["UserPolicyList"] == [{"PolicyName": "u-inline", "PolicyDocument": json.loads(ALLOW_S3_READ)}]
    assert user["AttachedManagedPolicies"] == [{"PolicyName": "shared", "PolicyArn": arn}]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn and user["Tags"] == [{"Key": "n",
                                                                                              "Value": "0"}]
    group = details["GroupDetailList"][0]
    assert [p["PolicyName"] for p in group["GroupPolicyList"]] == ["g-inline"]
    role = details["RoleDetailList"][0]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_ANYONE_IN_ACCOUNT)
    assert role["RolePolicyList"][0]["PolicyName"] == "r-inline" and role["InstanceProfileList"] == []
    [policy] = details["Policies"]
    assert policy["Arn"] == arn and policy["AttachmentCount"] == 2 and policy["PermissionsBoundaryUsageCount"] == 1
    assert [v["VersionId"] for v in policy["PolicyVersionList"]] == ["v2", "v1"]
    assert policy["PolicyVersionList"][0]["Document"] == json.loads(ALLOW_S3_READ)

    only_roles = iam.get_account_authorization_details(Filter=["Role"])
    assert (only_roles["UserDetailList"], only_roles["GroupDetailList"], only_roles["Policies"]) == ([], [], [])
    shipped = iam.get_account_authorization_details(Filter=["AWSManagedPolicy"])["Policies"]
    assert shipped and all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in shipped)


def test_details_page_across_entity_kinds(iam):
    _populate(iam, users=3)
    paginator = iam.get_paginator("get_account_authorization_details")
    pages = list(paginator.paginate(Filter=["User", "Group", "Role", "LocalManagedPolicy"],
                                    PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3  # 3 users, 1 group, 1 role, 1 policy: six entries, two a page
    merged = paginator.paginate(Filter=["User", "Group", "Role", "LocalManagedPolicy"],
                                PaginationConfig={"PageSize": 2}).build_full_result()
    assert [u["UserName"] for u in merged["UserDetailList"]] == ["user0", "user1", "user2"]
    assert len(merged["GroupDetailList"]) == len(merged["RoleDetailList"]) == len(merged["Policies"]) == 1


def test_details_take_the_same_number_of_queries_for_any_number_of_users(iam, root_caller):
    _populate(iam, users=2)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            get_account_authorization_details(root_caller, {"Filter": ["User", "Group", "Role",
                                                                       "LocalManagedPolicy"]})
        return len(captured.captured_queries)

    few = queries()
    for index in range(2, 6):
        iam.create_user(UserName=f"user{index}")
        iam.add_user_to_group(GroupName="devs", UserName=f"user{index}")
        iam.put_user_policy(UserName=f"user{index}", PolicyName="u-inline", PolicyDocument=ALLOW_S3_READ)
    assert queries() == few
