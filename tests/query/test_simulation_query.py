"""The policy simulator through boto3: custom documents, users (with their groups), groups and roles."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.query.iam_clients import TRUST_ANYONE_IN_ACCOUNT, error_code

pytestmark = pytest.mark.django_db(transaction=True)


def _policy(effect: str, action: str, resource: str = "*", condition: dict | None = None) -> str:
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _decisions(results: list[dict]) -> dict:
    return {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}


def test_custom_policy_decisions_context_and_boundaries(iam):
    allow_tagged = _policy("Allow", "s3:GetObject", condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}})
    results = iam.simulate_custom_policy(
        PolicyInputList=[allow_tagged, _policy("Deny", "s3:DeleteObject")],
        ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:PutObject"],
        ContextEntries=[{"ContextKeyName": "aws:PrincipalTag/team", "ContextKeyValues": ["blue"],
                         "ContextKeyType": "string"}])["EvaluationResults"]
    assert _decisions(results) == {("s3:GetObject", "*"): "allowed", ("s3:DeleteObject", "*"): "explicitDeny",
                                   ("s3:PutObject", "*"): "implicitDeny"}
    allowed = next(r for r in results if r["EvalActionName"] == "s3:GetObject")
    assert allowed["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert allowed["MatchedStatements"][0]["StartPosition"]["Line"] == 1

    without_tag = iam.simulate_custom_policy(PolicyInputList=[allow_tagged], ActionNames=["s3:GetObject"])
    assert without_tag["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    bounded = iam.simulate_custom_policy(PolicyInputList=[_policy("Allow", "s3:*")],
                                         PermissionsBoundaryPolicyInputList=[_policy("Allow", "s3:GetObject")],
                                         ActionNames=["s3:GetObject", "s3:PutObject"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in bounded] == ["allowed", "implicitDeny"]


def test_simulation_results_page(iam):
    actions = [f"s3:Action{index}" for index in range(5)]
    paginator = iam.get_paginator("simulate_custom_policy")
    pages = list(paginator.paginate(PolicyInputList=[_policy("Allow", "s3:*")], ActionNames=actions,
                                    ResourceArns=["arn:aws:s3:::a", "arn:aws:s3:::b"],
                                    PaginationConfig={"PageSize": 4}))
    assert [len(page["EvaluationResults"]) for page in pages] == [4, 4, 2]
    seen = [(r["EvalActionName"], r["EvalResourceName"]) for page in pages for r in page["EvaluationResults"]]
    assert len(set(seen)) == 10


def test_principal_simulation_of_a_user_with_groups_a_group_and_a_role(iam):
    iam.create_user(UserName="sam")
    iam.put_user_policy(UserName="sam", PolicyName="own", PolicyDocument=_policy("Allow", "s3:GetObject"))
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(GroupName="ops", UserName="sam")
    iam.put_group_policy(GroupName="ops", PolicyName="no-delete", PolicyDocument=_policy("Deny", "s3:DeleteObject"))
    iam.create_role(RoleName="runner", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    arn = iam.create_policy(PolicyName="ec2", PolicyDocument=_policy("Allow", "ec2:*"))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="runner", PolicyArn=arn)
    user_arn = iam.get_user(UserName="sam")["User"]["Arn"]
    group_arn = iam.get_group(GroupName="ops")["Group"]["Arn"]
    role_arn = iam.get_role(RoleName="runner")["Role"]["Arn"]

    user = iam.simulate_principal_policy(PolicySourceArn=user_arn,
                                         ActionNames=["s3:GetObject", "s3:DeleteObject"])["EvaluationResults"]
    assert [r["EvalDecision"] for r in user] == ["allowed", "explicitDeny"]
    assert user[1]["MatchedStatements"][0]["SourcePolicyType"] == "group"
    group = iam.simulate_principal_policy(PolicySourceArn=group_arn, ActionNames=["s3:GetObject", "s3:DeleteObject"])
    assert [r["EvalDecision"] for r in group["EvaluationResults"]] == ["implicitDeny", "explicitDeny"]
    role = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["ec2:RunInstances", "s3:GetObject"])
    assert [r["EvalDecision"] for r in role["EvaluationResults"]] == ["allowed", "implicitDeny"]
    assert role["EvaluationResults"][0]["MatchedStatements"][0]["SourcePolicyType"] == "user-managed"
    extra = iam.simulate_principal_policy(PolicySourceArn=role_arn, ActionNames=["s3:GetObject"],
                                          PolicyInputList=[_policy("Allow", "s3:GetObject")])
    assert extra["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_simulation_errors(iam):
    with pytest.raises(ClientError) as missing:
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:iam::123456789012:user/nobody",
                                      ActionNames=["s3:GetObject"])
    assert error_code(missing) == "NoSuchEntity"
    with pytest.raises(ClientError) as not_an_entity:
        iam.simulate_principal_policy(PolicySourceArn="arn:aws:s3:::some-bucket", ActionNames=["s3:GetObject"])
    assert error_code(not_an_entity) == "InvalidInput"
    with pytest.raises(ClientError) as bad_document:
        iam.simulate_custom_policy(PolicyInputList=['{"Statement": "no"}'], ActionNames=["s3:GetObject"])
    assert error_code(bad_document) == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as no_caller:
        iam.simulate_custom_policy(PolicyInputList=[_policy("Allow", "*")], ActionNames=["s3:GetObject"],
                                   ResourcePolicy=_resource_policy("Allow", "*"))
    assert error_code(no_caller) == "InvalidInput"


def _resource_policy(effect: str, principal: str, action: str = "s3:GetObject") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": effect, "Principal": {"AWS": principal}, "Action": action, "Resource": "arn:aws:s3:::bucket/*"}]})


def test_resource_policies_are_simulated_with_the_identity_policies(iam):
    user_arn = iam.create_user(UserName="reader")["User"]["Arn"]
    nothing = _policy("Allow", "ec2:DescribeInstances")
    common = {"ActionNames": ["s3:GetObject"], "ResourceArns": ["arn:aws:s3:::bucket/key"], "CallerArn": user_arn}

    def decide(identity: str, resource: str, **extra) -> dict:
        return iam.simulate_custom_policy(PolicyInputList=[identity], ResourcePolicy=resource, **common,
                                          **extra)["EvaluationResults"][0]

    granted = decide(nothing, _resource_policy("Allow", user_arn))  # the bucket names the user: enough
    assert granted["EvalDecision"] == "allowed"
    assert granted["MatchedStatements"][0] == {**granted["MatchedStatements"][0], "SourcePolicyId": "ResourcePolicy",
                                               "SourcePolicyType": "resource"}
    account_only = _resource_policy("Allow", "arn:aws:iam::123456789012:root")
    assert decide(nothing, account_only)["EvalDecision"] == "implicitDeny"  # the account defers to the user
    assert decide(_policy("Allow", "s3:GetObject"), account_only)["EvalDecision"] == "allowed"
    assert decide(_policy("Allow", "s3:*"), _resource_policy("Deny", user_arn))["EvalDecision"] == "explicitDeny"
    # Across accounts both sides must allow: the same grant is not enough for a bucket another account owns.
    elsewhere = {"ResourceOwner": "arn:aws:iam::111122223333:root"}
    assert decide(nothing, _resource_policy("Allow", user_arn), **elsewhere)["EvalDecision"] == "implicitDeny"
    both = decide(_policy("Allow", "s3:GetObject"), _resource_policy("Allow", user_arn), **elsewhere)
    assert both["EvalDecision"] == "allowed"

    role_arn = iam.create_role(RoleName="reader-role", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)["Role"]["Arn"]
    principal = iam.simulate_principal_policy(PolicySourceArn=role_arn, ResourcePolicy=_resource_policy("Allow", role_arn),
                                              ActionNames=["s3:GetObject"], ResourceArns=["arn:aws:s3:::bucket/key"])
    assert principal["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_policies_granting_service_access_name_each_policy_and_its_holder(iam):
    iam.create_user(UserName="dev")
    iam.create_group(GroupName="builders")
    iam.add_user_to_group(GroupName="builders", UserName="dev")
    s3 = iam.create_policy(PolicyName="s3-read", PolicyDocument=_policy("Allow", "s3:Get*"))["Policy"]["Arn"]
    iam.attach_user_policy(UserName="dev", PolicyArn=s3)
    iam.put_user_policy(UserName="dev", PolicyName="all-but-iam", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}))
    iam.put_group_policy(GroupName="builders", PolicyName="ec2", PolicyDocument=_policy("Allow", "ec2:*"))
    iam.put_group_policy(GroupName="builders", PolicyName="no-s3", PolicyDocument=_policy("Deny", "s3:*"))
    user_arn = iam.get_user(UserName="dev")["User"]["Arn"]

    answer = iam.list_policies_granting_service_access(Arn=user_arn, ServiceNamespaces=["s3", "ec2", "iam"])
    by_service = {entry["ServiceNamespace"]: entry["Policies"] for entry in answer["PoliciesGrantingServiceAccess"]}
    assert sorted(p["PolicyName"] for p in by_service["s3"]) == ["all-but-iam", "s3-read"]
    assert {"PolicyName": "s3-read", "PolicyType": "MANAGED", "PolicyArn": s3} in by_service["s3"]
    assert {"PolicyName": "ec2", "PolicyType": "INLINE", "EntityType": "GROUP",
            "EntityName": "builders"} in by_service["ec2"]
    assert {"PolicyName": "all-but-iam", "PolicyType": "INLINE", "EntityType": "USER",
            "EntityName": "dev"} in by_service["ec2"]
    assert by_service["iam"] == []
    with pytest.raises(ClientError) as missing:
        iam.list_policies_granting_service_access(Arn="arn:aws:iam::123456789012:role/none", ServiceNamespaces=["s3"])
    assert error_code(missing) == "NoSuchEntity"
