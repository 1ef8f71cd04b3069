"""Through the AWS Query API (boto3 and every implemented IAM action), an account's caller reads, changes and
even detects only its own account's entities, while another account holds the very same names."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError
from django.db import transaction

from directory.mfa import services as mfa
from iam_console.query import registry
from iam_console.query.service_models import operation_model
from sts.federation import oidc_providers
from tests.accounts.isolation import (
    DOCUMENT,
    MANAGEMENT,
    NOBODY,
    furnish,
    furnish_only_in_management,
    mentions_account,
    snapshot,
    trust_of,
)
from tests.query.conftest import QueryClient, client_for

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
# Where a member of an action's input names an entity, the sample (of the names above) it takes.
ENTITY_MEMBERS = {"UserName": "user_name", "GroupName": "group_name", "RoleName": "role_name",
                  "PolicyArn": "policy_arn", "AccessKeyId": "access_key_id", "PolicyName": "policy_name",
                  "VersionId": "version_id", "SerialNumber": "serial_number", "OpenIDConnectProviderArn": "oidc_arn",
                  "PolicySourceArn": "user_arn", "Arn": "user_arn", "PermissionsBoundary": "policy_arn"}
# Any other required member: a valid value that names nothing.
FILLERS = {"PolicyDocument": DOCUMENT, "AssumeRolePolicyDocument": trust_of(MANAGEMENT), "Status": "Inactive",
           "ActionNames.member.1": "iam:GetUser", "AuthenticationCode1": "123456", "AuthenticationCode2": "654321",
           "ClientID": "client-x", "Tags.member.1.Key": "home", "Tags.member.1.Value": "x",
           "TagKeys.member.1": "home", "Url": "https://idp.example.net", "ThumbprintList.member.1": THUMBPRINT,
           "Name": "some-provider", "VirtualMFADeviceName": "phone-x", "ServiceNamespaces.member.1": "s3",
           "PolicyInputList.member.1": DOCUMENT, "AccountAlias": "some-alias-x", "Description": "d",
           "NewPassword": "New-Passw0rd!-x", "OldPassword": "Old-Passw0rd!-x",
           "SAMLProviderArn": f"arn:aws:iam::{MANAGEMENT}:saml-provider/none",
           "SAMLMetadataDocument": "<x/>" * 300}


def parameters(action: str, samples: dict[str, str]) -> dict[str, str]:
    shape = operation_model("iam", action).input_shape
    params: dict[str, str] = {}
    for name in shape.members if shape else ():
        if name in ENTITY_MEMBERS:
            params[name] = samples[ENTITY_MEMBERS[name]]
        elif name in shape.required_members:
            params.update({key: value for key, value in FILLERS.items() if key.split(".")[0] == name})
    return params


def answer_of(response) -> tuple[int, str]:
    if response.status_code == 200:
        return 200, ""
    root = ElementTree.fromstring(response.content)
    ns = {"aws": root.tag.split("}")[0].strip("{")}
    return response.status_code, root.findtext("aws:Error/aws:Code", namespaces=ns)


@pytest.fixture
def member(root_caller, make_account):
    member = make_account("Member")
    furnish(root_caller, path="/a/", minimum_length=10)
    furnish(member.caller, path="/b/", minimum_length=14)
    return member


@pytest.mark.django_db
def test_every_iam_action_answers_another_accounts_names_as_names_nobody_holds(root_caller, member):
    only_in_a = furnish_only_in_management(root_caller)
    device = mfa.create_virtual_mfa_device(caller=root_caller, user_name="only-in-a", virtual_mfa_device_name="a")
    provider = oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://idp.only-in-a.test",
                                                              thumbprint_list=[THUMBPRINT])
    only_in_a |= {"serial_number": device.serial_number, "oidc_arn": provider.arn,
                  "user_arn": f"arn:aws:iam::{MANAGEMENT}:user/only-in-a"}
    nobody = {**NOBODY, "serial_number": f"arn:aws:iam::{MANAGEMENT}:mfa/nobody-here",
              "oidc_arn": f"arn:aws:iam::{MANAGEMENT}:oidc-provider/idp.nobody.test",
              "user_arn": f"arn:aws:iam::{MANAGEMENT}:user/nobody-here"}
    before = snapshot()
    key = member.root_api()
    query = QueryClient(key.access_key_id, key.secret_access_key)
    named = set(only_in_a.values()) | set(nobody.values())
    differences, leaks, changed, not_found = {}, [], [], 0
    for action in registry.implemented("iam"):
        answers = []
        for samples in (only_in_a, nobody):
            # Each call in a savepoint rolled back: what one call creates in the member cannot answer the next.
            with transaction.atomic():
                response = query.call(action, **parameters(action, samples))
                answers.append(answer_of(response))
                text = response.content.decode(errors="replace")
                for value in named:
                    text = text.replace(value, "")
                if mentions_account(text, by_id=False):
                    leaks.append(action)
                if snapshot() != before:
                    changed.append(action)
                transaction.set_rollback(True)
        if answers[0] != answers[1]:
            differences[action] = answers
        not_found += answers[0] == (404, "NoSuchEntity")
    assert differences == {}
    assert leaks == [] and changed == []
    assert not_found >= 50  # the walk reached the lookups


def test_boto3_sees_each_accounts_own_entities_under_the_same_names(aws, transactional_db, live_server, member):
    key = member.root_api()
    member_iam = client_for(live_server, "iam", key.access_key_id, key.secret_access_key)
    for iam, own, path in ((aws("iam"), MANAGEMENT, "/a/"), (member_iam, member.id, "/b/")):
        assert iam.get_user(UserName="alice")["User"]["Arn"] == f"arn:aws:iam::{own}:user{path}alice"
        assert [u["Arn"] for u in iam.list_users()["Users"]] == [f"arn:aws:iam::{own}:user{path}alice"]
        assert [u["UserName"] for u in iam.get_group(GroupName="team")["Users"]] == ["alice"]
        assert iam.get_role(RoleName="deployer")["Role"]["Arn"] == f"arn:aws:iam::{own}:role{path}deployer"
        local = iam.list_policies(Scope="Local")["Policies"]
        assert [(p["Arn"], p["AttachmentCount"]) for p in local] == [(f"arn:aws:iam::{own}:policy{path}shared", 1)]
        details = iam.get_account_authorization_details()
        arns = [entry["Arn"] for kind in ("UserDetailList", "GroupDetailList", "RoleDetailList") for entry in
                details[kind]] + [p["Arn"] for p in details["Policies"] if ":aws:policy/" not in p["Arn"]]
        assert arns and all(f":{own}:" in arn for arn in arns)
        admin = next(p for p in details["Policies"] if p["PolicyName"] == "AdministratorAccess")
        assert admin["AttachmentCount"] == (1 if own == MANAGEMENT else 2)
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == (
            10 if own == MANAGEMENT else 14)
        assert iam.get_account_summary()["SummaryMap"]["Users"] == 1
        with pytest.raises(ClientError) as refused:
            iam.get_policy(PolicyArn=f"arn:aws:iam::{MANAGEMENT if own != MANAGEMENT else member.id}:policy"
                                     f"{'/a/' if own != MANAGEMENT else '/b/'}shared")
        assert refused.value.response["Error"]["Code"] == "NoSuchEntity"
    # The same name is created in one account while the other holds it; deleting it there leaves the other.
    member_iam.create_user(UserName="bob")
    aws("iam").create_user(UserName="bob")
    member_iam.delete_user(UserName="bob")
    assert aws("iam").get_user(UserName="bob")["User"]["Arn"] == f"arn:aws:iam::{MANAGEMENT}:user/bob"


def test_the_audit_trail_and_credential_report_are_each_accounts_own(root_api, member):
    api = member.root_api()
    api.post("/api/v1/users/", {"user_name": "only-in-b"})
    events = api.get("/api/v1/audit-events/?max_items=1000").json()["events"]
    assert any(e["event_name"] == "CreateUser" for e in events)
    assert not mentions_account(json.dumps(events))
    management_events = root_api.get("/api/v1/audit-events/?max_items=1000").json()["events"]
    assert not any(e["request_parameters"].get("user_name") == "only-in-b" for e in management_events)
