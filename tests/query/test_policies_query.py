"""Managed policies through boto3: create, read, versions, tags, attachments seen from the policy, context keys."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iam_console.query.iam_policies import list_policies
from iam_console.query.iam_roles import list_roles
from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT, client_as, error_code, http_status

pytestmark = pytest.mark.django_db(transaction=True)

CONDITIONED = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/${aws:username}/*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/team": "blue"}, "Bool": {"aws:SecureTransport": "true"}}}]})


def _document(action: str = "s3:GetObject") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action,
                                                               "Resource": "*"}]})


def test_create_get_and_wait_for_a_policy_with_tags_and_description(iam):
    created = iam.create_policy(PolicyName="read-s3", Path="/team/", PolicyDocument=ALLOW_S3_READ,
                                Description="Read objects", Tags=[{"Key": "owner", "Value": "ops"}])["Policy"]
    assert created["Arn"] == "arn:aws:iam::123456789012:policy/team/read-s3"
    assert created["PolicyId"].startswith("ANPA") and created["DefaultVersionId"] == "v1"
    assert created["Tags"] == [{"Key": "owner", "Value": "ops"}]
    iam.get_waiter("policy_exists").wait(PolicyArn=created["Arn"])
    fetched = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert fetched["Description"] == "Read objects" and fetched["IsAttachable"] is True
    assert fetched["AttachmentCount"] == 0 and fetched["PermissionsBoundaryUsageCount"] == 0
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(ALLOW_S3_READ)  # URL-encoded on the wire, a dict in boto3
    assert version["IsDefaultVersion"] is True


def test_policy_errors_carry_aws_codes_and_statuses(iam):
    iam.create_policy(PolicyName="dup", PolicyDocument=ALLOW_S3_READ)
    with pytest.raises(ClientError) as duplicate:
        iam.create_policy(PolicyName="DUP", PolicyDocument=ALLOW_S3_READ)
    assert (error_code(duplicate), http_status(duplicate)) == ("EntityAlreadyExists", 409)
    with pytest.raises(ClientError) as malformed:
        iam.create_policy(PolicyName="bad", PolicyDocument='{"Statement": [{"Effect": "Maybe"}]}')
    assert (error_code(malformed), http_status(malformed)) == ("MalformedPolicyDocument", 400)
    with pytest.raises(ClientError) as missing:
        iam.get_policy(PolicyArn="arn:aws:iam::123456789012:policy/nope")
    assert (error_code(missing), http_status(missing)) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as too_long:
        iam.create_policy(PolicyName="x" * 129, PolicyDocument=ALLOW_S3_READ)
    assert error_code(too_long) == "ValidationError"
    assert "policyName" in too_long.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as shipped:
        iam.create_policy_version(PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess",
                                  PolicyDocument=ALLOW_S3_READ)
    assert error_code(shipped) == "UnmodifiableEntity"


def test_a_user_without_permission_is_denied_and_nothing_is_written(iam, live_server, make_user):
    stranger = client_as(live_server, make_user, "stranger")
    with pytest.raises(ClientError) as denied:
        stranger.create_policy(PolicyName="sneaky", PolicyDocument=ALLOW_S3_READ)
    assert (error_code(denied), http_status(denied)) == ("AccessDenied", 403)
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_versions_up_to_five_default_switch_and_deletion_rules(iam):
    arn = iam.create_policy(PolicyName="versioned", PolicyDocument=_document())["Policy"]["Arn"]
    for action in ("s3:PutObject", "s3:ListBucket", "s3:DeleteObject"):
        created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=_document(action))["PolicyVersion"]
        assert created["IsDefaultVersion"] is False and "Document" not in created
    newest = iam.create_policy_version(PolicyArn=arn, PolicyDocument=_document("s3:*"), SetAsDefault=True)
    assert newest["PolicyVersion"] == {**newest["PolicyVersion"], "VersionId": "v5", "IsDefaultVersion": True}
    with pytest.raises(ClientError) as full:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=_document())
    assert (error_code(full), http_status(full)) == ("LimitExceeded", 409)

    pages = list(iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert [v["VersionId"] for page in pages for v in page["Versions"]] == ["v5", "v4", "v3", "v2", "v1"]

    with pytest.raises(ClientError) as default:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    assert error_code(default) == "DeleteConflict"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    with pytest.raises(ClientError) as versions_left:
        iam.delete_policy(PolicyArn=arn)
    assert error_code(versions_left) == "DeleteConflict"
    for version_id in ("v1", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version_id)
    with pytest.raises(ClientError) as gone:
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    assert error_code(gone) == "NoSuchEntity"
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(ClientError) as deleted:
        iam.get_policy(PolicyArn=arn)
    assert error_code(deleted) == "NoSuchEntity"


def test_list_policies_pages_scopes_and_attachment_filters(iam):
    arns = [iam.create_policy(PolicyName=f"p{index}", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
            for index in range(5)]
    pages = list(iam.get_paginator("list_policies").paginate(Scope="Local", PaginationConfig={"PageSize": 2}))
    assert [len(page["Policies"]) for page in pages] == [2, 2, 1]
    assert sorted(p["Arn"] for page in pages for p in page["Policies"]) == sorted(arns)
    assert all("Description" not in p for page in pages for p in page["Policies"])
    aws_managed = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    assert aws_managed and all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in aws_managed)

    iam.create_user(UserName="u1")
    iam.create_role(RoleName="r1", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.attach_user_policy(UserName="u1", PolicyArn=arns[0])
    iam.attach_role_policy(RoleName="r1", PolicyArn=arns[0])
    iam.put_role_permissions_boundary(RoleName="r1", PermissionsBoundary=arns[1])
    attached = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [(p["Arn"], p["AttachmentCount"]) for p in attached] == [(arns[0], 2)]
    boundaries = iam.list_policies(Scope="Local", OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary")
    assert [(p["Arn"], p["PermissionsBoundaryUsageCount"]) for p in boundaries["Policies"]] == [(arns[1], 1)]


def test_policy_tags_are_added_replaced_listed_in_pages_and_removed(iam):
    arn = iam.create_policy(PolicyName="tagged", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": f"k{index}", "Value": str(index)} for index in range(5)])
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "K0", "Value": "replaced"}])
    pages = list(iam.get_paginator("list_policy_tags").paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2}))
    tags = [tag for page in pages for tag in page["Tags"]]
    assert len(pages) == 3 and tags[0] == {"Key": "K0", "Value": "replaced"} and len(tags) == 5
    iam.untag_policy(PolicyArn=arn, TagKeys=["k1", "K2"])
    assert [tag["Key"] for tag in iam.list_policy_tags(PolicyArn=arn)["Tags"]] == ["K0", "k3", "k4"]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"][0]["Key"] == "K0"
    with pytest.raises(ClientError) as reserved:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert error_code(reserved) == "InvalidInput"
    with pytest.raises(ClientError) as missing:
        iam.list_policy_tags(PolicyArn="arn:aws:iam::123456789012:policy/none")
    assert error_code(missing) == "NoSuchEntity"


def test_list_entities_for_policy_filters_and_pages_across_kinds(iam):
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    for name in ("ann", "bob", "cy"):
        iam.create_user(UserName=name, Path="/staff/" if name != "cy" else "/")
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.create_role(RoleName="builder", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.attach_role_policy(RoleName="builder", PolicyArn=arn)
    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=arn)

    paginator = iam.get_paginator("list_entities_for_policy")
    pages = list(paginator.paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    merged = paginator.paginate(PolicyArn=arn, PaginationConfig={"PageSize": 2}).build_full_result()
    assert sorted(u["UserName"] for u in merged["PolicyUsers"]) == ["ann", "bob", "cy"]
    assert [g["GroupName"] for g in merged["PolicyGroups"]] == ["devs"]
    assert sorted(r["RoleName"] for r in merged["PolicyRoles"]) == ["bounded", "builder"]

    roles_only = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role",
                                              PolicyUsageFilter="PermissionsPolicy")
    assert [r["RoleName"] for r in roles_only["PolicyRoles"]] == ["builder"]
    assert roles_only["PolicyUsers"] == [] and roles_only["PolicyGroups"] == []
    staff = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="User", PathPrefix="/staff/")
    assert [u["UserName"] for u in staff["PolicyUsers"]] == ["ann", "bob"]
    with pytest.raises(ClientError) as in_use:
        iam.delete_policy(PolicyArn=arn)
    assert error_code(in_use) == "DeleteConflict"


def test_context_keys_of_custom_and_principal_policies(iam):
    keys = iam.get_context_keys_for_custom_policy(PolicyInputList=[CONDITIONED])["ContextKeyNames"]
    assert keys == ["aws:PrincipalTag/team", "aws:SecureTransport", "aws:username"]
    iam.create_user(UserName="keyed")
    iam.put_user_policy(UserName="keyed", PolicyName="inline", PolicyDocument=CONDITIONED)
    iam.create_group(GroupName="g")
    iam.add_user_to_group(GroupName="g", UserName="keyed")
    group_policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})
    iam.put_group_policy(GroupName="g", PolicyName="net", PolicyDocument=group_policy)
    user_arn = iam.get_user(UserName="keyed")["User"]["Arn"]
    principal = iam.get_context_keys_for_principal_policy(PolicySourceArn=user_arn)["ContextKeyNames"]
    assert principal == ["aws:PrincipalTag/team", "aws:SecureTransport", "aws:SourceIp", "aws:username"]
    with pytest.raises(ClientError) as bad:
        iam.get_context_keys_for_custom_policy(PolicyInputList=["{not json"])
    assert error_code(bad) == "MalformedPolicyDocument"


def test_list_policies_and_roles_cost_the_same_queries_whatever_the_page(iam, root_caller):
    def queries(handler, params: dict) -> int:
        handler(root_caller, params)  # a change since the last call refills the process's policy cache once
        with CaptureQueriesContext(connection) as captured:
            handler(root_caller, params)
        return len(captured.captured_queries)

    arn = iam.create_policy(PolicyName="first", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    iam.create_role(RoleName="first", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    one = (queries(list_policies, {"Scope": "Local"}), queries(list_roles, {}))
    for index in range(6):
        iam.create_policy(PolicyName=f"more{index}", PolicyDocument=ALLOW_S3_READ)
        iam.create_role(RoleName=f"more{index}", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
        iam.attach_role_policy(RoleName=f"more{index}", PolicyArn=arn)
    assert (queries(list_policies, {"Scope": "Local"}), queries(list_roles, {})) == one
