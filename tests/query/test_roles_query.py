"""Roles through boto3: create, read, wait, update, trust policy, tags, delete rules, paging."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, WaiterError

from tests.query.conftest import NO_RETRIES
from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT, error_code, http_status

pytestmark = pytest.mark.django_db(transaction=True)

TRUST_EC2 = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def test_create_role_with_everything_then_get_and_wait(iam):
    boundary = iam.create_policy(PolicyName="cap", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    created = iam.create_role(RoleName="deployer", Path="/ci/", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT,
                              Description="Deploys things", MaxSessionDuration=7200, PermissionsBoundary=boundary,
                              Tags=[{"Key": "team", "Value": "platform"}])["Role"]
    assert created["Arn"] == "arn:aws:iam::123456789012:role/ci/deployer"
    assert created["RoleId"].startswith("AROA")
    assert created["AssumeRolePolicyDocument"] == json.loads(TRUST_ANYONE_IN_ACCOUNT)
    iam.get_waiter("role_exists").wait(RoleName="deployer")
    role = iam.get_role(RoleName="DEPLOYER")["Role"]  # names are case-insensitive
    assert role["RoleName"] == "deployer" and role["Description"] == "Deploys things"
    assert role["MaxSessionDuration"] == 7200
    assert role["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                           "PermissionsBoundaryArn": boundary}
    assert role["Tags"] == [{"Key": "team", "Value": "platform"}]
    assert role["RoleLastUsed"] == {}
    assert iam.list_instance_profiles_for_role(RoleName="deployer")["InstanceProfiles"] == []


def test_role_errors_carry_aws_codes(iam, live_server, root_credentials):
    iam.create_role(RoleName="taken", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    with pytest.raises(ClientError) as duplicate:
        iam.create_role(RoleName="Taken", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    assert (error_code(duplicate), http_status(duplicate)) == ("EntityAlreadyExists", 409)
    with pytest.raises(ClientError) as missing:
        iam.get_role(RoleName="nobody")
    assert (error_code(missing), http_status(missing)) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as malformed:
        iam.create_role(RoleName="bad-trust", AssumeRolePolicyDocument=ALLOW_S3_READ)  # no Principal
    assert error_code(malformed) == "MalformedPolicyDocument"
    with pytest.raises(WaiterError, match="NoSuchEntity"):
        iam.get_waiter("role_exists").wait(RoleName="nobody", WaiterConfig={"Delay": 1, "MaxAttempts": 1})

    # Without botocore's own checks the server's are seen: the model's constraints, AWS's message.
    raw = boto3.client("iam", endpoint_url=live_server.url, aws_access_key_id=root_credentials.access_key_id,
                       aws_secret_access_key=root_credentials.secret_access_key,
                       config=NO_RETRIES.merge(Config(parameter_validation=False, region_name="us-east-1")))
    with pytest.raises(ClientError) as short:
        raw.create_role(RoleName="brief", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT, MaxSessionDuration=60)
    assert (error_code(short), http_status(short)) == ("ValidationError", 400)
    assert "maxSessionDuration" in short.value.response["Error"]["Message"]


def test_update_role_description_duration_and_trust_policy(iam):
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.update_role(RoleName="app", MaxSessionDuration=43200)
    described = iam.update_role_description(RoleName="app", Description="The app's role")["Role"]
    assert described["Description"] == "The app's role" and described["MaxSessionDuration"] == 43200
    iam.update_role(RoleName="app", Description="")
    iam.update_assume_role_policy(RoleName="app", PolicyDocument=TRUST_EC2)
    role = iam.get_role(RoleName="app")["Role"]
    assert role["AssumeRolePolicyDocument"] == json.loads(TRUST_EC2)
    assert "Description" not in role
    with pytest.raises(ClientError) as malformed:
        iam.update_assume_role_policy(RoleName="app", PolicyDocument="{}")
    assert error_code(malformed) == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as missing:
        iam.update_role_description(RoleName="ghost", Description="x")
    assert error_code(missing) == "NoSuchEntity"


def test_list_roles_pages_with_a_path_prefix(iam):
    for index in range(5):
        iam.create_role(RoleName=f"role{index}", Path="/svc/" if index % 2 else "/",
                        AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    pages = list(iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["Roles"]) for page in pages] == [2, 2, 1]
    assert [r["RoleName"] for page in pages for r in page["Roles"]] == [f"role{i}" for i in range(5)]
    assert all("Tags" not in r and r["AssumeRolePolicyDocument"] for page in pages for r in page["Roles"])
    assert [r["RoleName"] for r in iam.list_roles(PathPrefix="/svc/")["Roles"]] == ["role1", "role3"]


def test_role_tags_are_added_replaced_paged_and_removed(iam):
    iam.create_role(RoleName="tagged", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.tag_role(RoleName="tagged", Tags=[{"Key": f"k{index}", "Value": str(index)} for index in range(3)])
    iam.tag_role(RoleName="tagged", Tags=[{"Key": "k1", "Value": "one"}])
    pages = list(iam.get_paginator("list_role_tags").paginate(RoleName="tagged", PaginationConfig={"PageSize": 2}))
    assert [tag for page in pages for tag in page["Tags"]] == [
        {"Key": "k0", "Value": "0"}, {"Key": "k1", "Value": "one"}, {"Key": "k2", "Value": "2"}]
    assert len(pages) == 2
    iam.untag_role(RoleName="tagged", TagKeys=["k0", "k2"])
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "k1", "Value": "one"}]
    with pytest.raises(ClientError) as too_many:
        iam.tag_role(RoleName="tagged", Tags=[{"Key": f"n{index}", "Value": ""} for index in range(50)])
    assert error_code(too_many) == "LimitExceeded"


def test_delete_role_refuses_while_policies_remain(iam):
    arn = iam.create_policy(PolicyName="attached", PolicyDocument=ALLOW_S3_READ)["Policy"]["Arn"]
    iam.create_role(RoleName="busy", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.attach_role_policy(RoleName="busy", PolicyArn=arn)
    iam.put_role_policy(RoleName="busy", PolicyName="inline", PolicyDocument=ALLOW_S3_READ)
    with pytest.raises(ClientError) as attached:
        iam.delete_role(RoleName="busy")
    assert (error_code(attached), http_status(attached)) == ("DeleteConflict", 409)
    iam.detach_role_policy(RoleName="busy", PolicyArn=arn)
    with pytest.raises(ClientError) as inline:
        iam.delete_role(RoleName="busy")
    assert error_code(inline) == "DeleteConflict"
    iam.delete_role_policy(RoleName="busy", PolicyName="inline")
    iam.delete_role(RoleName="busy")
    with pytest.raises(ClientError) as gone:
        iam.get_role(RoleName="busy")
    assert error_code(gone) == "NoSuchEntity"
