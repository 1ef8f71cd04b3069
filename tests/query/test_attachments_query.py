"""Attachments, inline policies and boundaries through boto3, and the calls Terraform's IAM resources make."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT, error_code, http_status

pytestmark = pytest.mark.django_db(transaction=True)

ENTITIES = (("user", "UserName"), ("group", "GroupName"), ("role", "RoleName"))


def _make_entities(iam) -> None:
    iam.create_user(UserName="ann")
    iam.create_group(GroupName="devs")
    iam.create_role(RoleName="builder", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)


def _names(kind: str) -> dict:
    return {"user": {"UserName": "ann"}, "group": {"GroupName": "devs"}, "role": {"RoleName": "builder"}}[kind]


@pytest.mark.parametrize(("kind", "param"), ENTITIES)
def test_attach_list_in_pages_and_detach_managed_policies(iam, kind, param):
    _make_entities(iam)
    arns = [iam.create_policy(PolicyName=f"p{index}", Path="/team/" if index < 2 else "/",
                              PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"] for index in range(3)]
    attach = getattr(iam, f"attach_{kind}_policy")
    for arn in arns:
        attach(PolicyArn=arn, **_names(kind))
    attach(PolicyArn=arns[0], **_names(kind))  # attaching twice is no error, and no second attachment
    paginator = iam.get_paginator(f"list_attached_{kind}_policies")
    pages = list(paginator.paginate(**_names(kind), PaginationConfig={"PageSize": 2}))
    assert [len(page["AttachedPolicies"]) for page in pages] == [2, 1]
    listed = sorted(p["PolicyArn"] for page in pages for p in page["AttachedPolicies"])
    assert listed == sorted(arns)
    team = getattr(iam, f"list_attached_{kind}_policies")(PathPrefix="/team/", **_names(kind))["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in team) == ["p0", "p1"]

    detach = getattr(iam, f"detach_{kind}_policy")
    detach(PolicyArn=arns[1], **_names(kind))
    with pytest.raises(ClientError) as not_attached:
        detach(PolicyArn=arns[1], **_names(kind))
    assert (error_code(not_attached), http_status(not_attached)) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as no_policy:
        attach(PolicyArn="arn:aws:iam::123456789012:policy/absent", **_names(kind))
    assert error_code(no_policy) == "NoSuchEntity"
    with pytest.raises(ClientError) as no_entity:
        attach(PolicyArn=arns[0], **{param: "nobody"})
    assert error_code(no_entity) == "NoSuchEntity"


@pytest.mark.parametrize(("kind", "param"), ENTITIES)
def test_inline_policies_put_get_list_in_pages_and_delete(iam, kind, param):
    _make_entities(iam)
    put = getattr(iam, f"put_{kind}_policy")
    for index in range(3):
        put(PolicyName=f"inline{index}", PolicyDocument=ALLOW_S3_READ, **_names(kind))
    put(PolicyName="inline0", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}]}), **_names(kind))  # replaces
    got = getattr(iam, f"get_{kind}_policy")(PolicyName="INLINE0", **_names(kind))
    assert got[param] == _names(kind)[param] and got["PolicyName"] == "inline0"
    assert got["PolicyDocument"]["Statement"][0]["Effect"] == "Deny"
    pages = list(iam.get_paginator(f"list_{kind}_policies").paginate(**_names(kind),
                                                                     PaginationConfig={"PageSize": 2}))
    assert [name for page in pages for name in page["PolicyNames"]] == ["inline0", "inline1", "inline2"]
    assert len(pages) == 2

    delete = getattr(iam, f"delete_{kind}_policy")
    delete(PolicyName="inline1", **_names(kind))
    with pytest.raises(ClientError) as gone:
        getattr(iam, f"get_{kind}_policy")(PolicyName="inline1", **_names(kind))
    assert error_code(gone) == "NoSuchEntity"
    with pytest.raises(ClientError) as malformed:
        put(PolicyName="broken", PolicyDocument='{"Version": "2012-10-17"}', **_names(kind))
    assert (error_code(malformed), http_status(malformed)) == ("MalformedPolicyDocument", 400)


@pytest.mark.parametrize(("kind", "param"), [("user", "UserName"), ("role", "RoleName")])
def test_permissions_boundaries_are_set_shown_and_removed(iam, kind, param):
    _make_entities(iam)
    arn = iam.create_policy(PolicyName="cap", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    getattr(iam, f"put_{kind}_permissions_boundary")(PermissionsBoundary=arn, **_names(kind))
    entity = getattr(iam, f"get_{kind}")(**_names(kind))[kind.capitalize()]
    assert entity["PermissionsBoundary"]["PermissionsBoundaryArn"] == arn
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PermissionsBoundaryUsageCount"] == 1
    getattr(iam, f"delete_{kind}_permissions_boundary")(**_names(kind))
    assert "PermissionsBoundary" not in getattr(iam, f"get_{kind}")(**_names(kind))[kind.capitalize()]
    with pytest.raises(ClientError) as none_left:
        getattr(iam, f"delete_{kind}_permissions_boundary")(**_names(kind))
    assert error_code(none_left) == "NoSuchEntity"


def test_terraform_policy_role_and_attachment_lifecycle(iam):
    """The calls, in order, that Terraform's aws_iam_policy, aws_iam_role (inline_policy, managed_policy_arns),
    aws_iam_role_policy, aws_iam_role_policy_attachment and aws_iam_policy_attachment make on apply,
    refresh, change and destroy."""
    # aws_iam_policy: create, then read back the policy, its default version and tags.
    policy = iam.create_policy(PolicyName="tf-policy", Path="/", PolicyDocument=ALLOW_S3_READ,
                               Description="managed by terraform", Tags=[{"Key": "env", "Value": "dev"}])["Policy"]
    arn = policy["Arn"]
    iam.get_policy(PolicyArn=arn)
    iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    iam.list_policy_tags(PolicyArn=arn)
    # aws_iam_role with inline and managed policies, then its read.
    iam.create_role(RoleName="tf-role", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT, Description="tf",
                    MaxSessionDuration=3600, Tags=[{"Key": "env", "Value": "dev"}])
    iam.put_role_policy(RoleName="tf-role", PolicyName="tf-inline", PolicyDocument=ALLOW_S3_READ)
    iam.attach_role_policy(RoleName="tf-role", PolicyArn=arn)
    iam.get_role(RoleName="tf-role")
    for name in iam.list_role_policies(RoleName="tf-role")["PolicyNames"]:
        iam.get_role_policy(RoleName="tf-role", PolicyName=name)
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName="tf-role")["AttachedPolicies"]] == [arn]
    # aws_iam_policy_attachment (exclusive) reads who holds the policy.
    iam.create_user(UserName="tf-user")
    iam.create_group(GroupName="tf-group")
    iam.attach_user_policy(UserName="tf-user", PolicyArn=arn)
    iam.attach_group_policy(GroupName="tf-group", PolicyArn=arn)
    holders = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in holders["PolicyUsers"]] == ["tf-user"]
    # aws_iam_user_policy / aws_iam_group_policy.
    iam.put_user_policy(UserName="tf-user", PolicyName="tf-user-inline", PolicyDocument=ALLOW_S3_READ)
    iam.get_user_policy(UserName="tf-user", PolicyName="tf-user-inline")
    iam.put_group_policy(GroupName="tf-group", PolicyName="tf-group-inline", PolicyDocument=ALLOW_S3_READ)
    iam.get_group_policy(GroupName="tf-group", PolicyName="tf-group-inline")

    # Changes: a new policy version (pruning the oldest when five exist), then made the default; role updates,
    # tags, boundary.
    for _ in range(6):
        versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
        if len(versions) >= 5:
            oldest = min((v for v in versions if not v["IsDefaultVersion"]), key=lambda v: v["VersionId"][1:].zfill(4))
            iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
        created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=ALLOW_S3_READ, SetAsDefault=False)
        iam.set_default_policy_version(PolicyArn=arn, VersionId=created["PolicyVersion"]["VersionId"])
    assert len(iam.list_policy_versions(PolicyArn=arn)["Versions"]) == 5
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v7"
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "owner", "Value": "ops"}])
    iam.untag_policy(PolicyArn=arn, TagKeys=["env"])
    iam.update_assume_role_policy(RoleName="tf-role", PolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.update_role_description(RoleName="tf-role", Description="changed")
    iam.update_role(RoleName="tf-role", MaxSessionDuration=7200)
    iam.put_role_permissions_boundary(RoleName="tf-role", PermissionsBoundary=arn)
    iam.delete_role_permissions_boundary(RoleName="tf-role")
    iam.tag_role(RoleName="tf-role", Tags=[{"Key": "owner", "Value": "ops"}])
    iam.untag_role(RoleName="tf-role", TagKeys=["env"])

    # Destroy, in Terraform's order.
    iam.delete_user_policy(UserName="tf-user", PolicyName="tf-user-inline")
    iam.delete_group_policy(GroupName="tf-group", PolicyName="tf-group-inline")
    iam.detach_user_policy(UserName="tf-user", PolicyArn=arn)
    iam.detach_group_policy(GroupName="tf-group", PolicyArn=arn)
    iam.list_instance_profiles_for_role(RoleName="tf-role")
    for attached in iam.list_attached_role_policies(RoleName="tf-role")["AttachedPolicies"]:
        iam.detach_role_policy(RoleName="tf-role", PolicyArn=attached["PolicyArn"])
    for name in iam.list_role_policies(RoleName="tf-role")["PolicyNames"]:
        iam.delete_role_policy(RoleName="tf-role", PolicyName=name)
    iam.delete_role(RoleName="tf-role")
    for version in iam.list_policy_versions(PolicyArn=arn)["Versions"]:
        if not version["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=arn, VersionId=version["VersionId"])
    iam.delete_policy(PolicyArn=arn)
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_roles()["Roles"] == []
