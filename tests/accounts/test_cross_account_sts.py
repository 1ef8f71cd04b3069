"""Cross-account role assumption with boto3, as AWS evaluates it: a principal of one account assumes a role of
another only when its own identity policies allow sts:AssumeRole on the role AND the role's trust policy admits
it (by ARN, by its account's root, or by its account id); ExternalId guards against the confused deputy; roles
chain across accounts; and a trust policy may name only accounts the directory holds."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from audit.models import AuditEvent
from directory.services import inline, role_policies, roles
from policies.authorization import Caller
from tests.query.conftest import client_for
from tests.sts.conftest import READ_ONLY, allow, deny, document

MANAGEMENT = "123456789012"
NOT_AN_ACCOUNT = "210987654321"


def trust(*principals: str, condition: dict | None = None) -> str:
    statement = {"Effect": "Allow", "Principal": {"AWS": list(principals)}, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return document(statement)


def make_role(caller: Caller, name: str, trust_document: str, *, policies=(), inline_document=None):
    role = roles.create_role(caller=caller, role_name=name, assume_role_policy_document=trust_document)
    for arn in policies:
        role_policies.attach_role_policy(caller=caller, role_name=name, policy_arn=arn)
    if inline_document:
        role_policies.put_role_policy(caller=caller, role_name=name, policy_name="inline",
                                      policy_document=inline_document)
    return role


def code_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def keys_of(answer: dict) -> tuple[str, str, str]:
    credentials = answer["Credentials"]
    return credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"]


@pytest.fixture
def world(transactional_db, root_caller, make_user, make_account):
    """The management account (alice may assume roles of the member, bob may not) and a member account whose
    role deploy trusts the management account with an external id."""
    member = make_account("Member")
    member.make_user("member-only-user")
    deploy = f"arn:aws:iam::{member.id}:role/deploy"
    make_role(member.caller, "deploy", trust(f"arn:aws:iam::{MANAGEMENT}:root",
                                             condition={"StringEquals": {"sts:ExternalId": "ext-1"}}),
              policies=(READ_ONLY,))
    alice = make_user("alice", access_key=True)
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="assume",
                           policy_document=document(allow("sts:AssumeRole", f"arn:aws:iam::{member.id}:role/*")))
    bob = make_user("bob", access_key=True)
    return member, deploy, alice, bob


def test_a_principal_assumes_another_accounts_role_with_both_sides_allowing(aws, world):
    member, deploy, alice, _ = world
    sts = aws("sts", key=alice.test_access_key)
    answer = sts.assume_role(RoleArn=deploy, RoleSessionName="release", ExternalId="ext-1")
    assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member.id}:assumed-role/deploy/release"
    session = keys_of(answer)
    assert aws("sts", key=session).get_caller_identity()["Account"] == member.id
    # The session acts in the role's account: it reads the member's users, not the management account's.
    names = [user["UserName"] for user in aws("iam", key=session).list_users()["Users"]]
    assert names == ["member-only-user"]
    # Both accounts have the event on record.
    assert set(AuditEvent.objects.filter(event_name="AssumeRole", outcome="Success")
               .values_list("account_id", flat=True)) == {MANAGEMENT, member.id}


def test_the_external_id_must_match(aws, world):
    _, deploy, alice, _ = world
    sts = aws("sts", key=alice.test_access_key)
    for external in ({}, {"ExternalId": "ext-2"}):
        with pytest.raises(ClientError) as refused:
            sts.assume_role(RoleArn=deploy, RoleSessionName="release", **external)
        assert code_of(refused) == (403, "AccessDenied")


def test_trust_alone_is_not_enough_across_accounts(aws, world):
    member, deploy, _, bob = world
    # bob's account is trusted, but bob's own policies do not allow sts:AssumeRole on the role.
    with pytest.raises(ClientError) as refused:
        aws("sts", key=bob.test_access_key).assume_role(RoleArn=deploy, RoleSessionName="ss", ExternalId="ext-1")
    assert code_of(refused) == (403, "AccessDenied")
    # Even a trust policy naming bob himself needs his identity policies across accounts...
    make_role(member.caller, "direct", trust(f"arn:aws:iam::{MANAGEMENT}:user/bob"))
    with pytest.raises(ClientError) as refused:
        aws("sts", key=bob.test_access_key).assume_role(RoleArn=f"arn:aws:iam::{member.id}:role/direct",
                                                       RoleSessionName="ss")
    assert code_of(refused) == (403, "AccessDenied")


def test_within_one_account_a_trust_policy_naming_the_principal_is_enough(aws, world, root_caller):
    _, _, _, bob = world
    make_role(root_caller, "local", trust(f"arn:aws:iam::{MANAGEMENT}:user/bob"))
    answer = aws("sts", key=bob.test_access_key).assume_role(RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/local",
                                                            RoleSessionName="ss")
    assert answer["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{MANAGEMENT}:assumed-role/local/")


def test_the_bare_account_id_and_the_principal_arn_also_admit_across_accounts(aws, world):
    member, _, alice, _ = world
    make_role(member.caller, "by-id", trust(MANAGEMENT))
    make_role(member.caller, "by-arn", trust(f"arn:aws:iam::{MANAGEMENT}:user/alice"))
    sts = aws("sts", key=alice.test_access_key)
    for name in ("by-id", "by-arn"):
        answer = sts.assume_role(RoleArn=f"arn:aws:iam::{member.id}:role/{name}", RoleSessionName="ss")
        assert answer["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member.id}:assumed-role/{name}/ss"


def test_an_explicit_deny_in_the_callers_account_wins(aws, world, root_caller):
    _, deploy, alice, _ = world
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="no",
                           policy_document=document(deny("sts:AssumeRole", deploy)))
    with pytest.raises(ClientError) as refused:
        aws("sts", key=alice.test_access_key).assume_role(RoleArn=deploy, RoleSessionName="ss", ExternalId="ext-1")
    assert code_of(refused) == (403, "AccessDenied")


def test_a_third_account_not_trusted_is_refused_and_an_unknown_account_looks_alike(aws, world, make_account):
    member, deploy, _, _ = world
    third = make_account("Third")
    carol = third.make_user("carol", access_key=True)
    inline.put_user_policy(caller=third.caller, user_name="carol", policy_name="assume",
                           policy_document=document(allow("sts:AssumeRole", "*")))
    sts = aws("sts", key=carol.test_access_key)
    answers = []
    for arn in (deploy, f"arn:aws:iam::{NOT_AN_ACCOUNT}:role/deploy", f"arn:aws:iam::{member.id}:role/absent"):
        with pytest.raises(ClientError) as refused:
            sts.assume_role(RoleArn=arn, RoleSessionName="ss", ExternalId="ext-1")
        answers.append(code_of(refused))
    assert answers == [(403, "AccessDenied")] * 3


def test_roles_chain_across_three_accounts(aws, world, make_account, root_api):
    member, deploy, alice, _ = world
    third = make_account("Third")
    third.make_user("third-only-user")
    role_policies.put_role_policy(caller=member.caller, role_name="deploy", policy_name="chain",
                                  policy_document=document(allow("sts:AssumeRole", f"arn:aws:iam::{third.id}:role/*")))
    make_role(third.caller, "audit", trust(deploy), policies=(READ_ONLY,))
    first = aws("sts", key=alice.test_access_key).assume_role(RoleArn=deploy, RoleSessionName="one",
                                                             ExternalId="ext-1")
    chained_sts = aws("sts", key=keys_of(first))
    with pytest.raises(ClientError) as refused:  # a chained session lasts an hour at most
        chained_sts.assume_role(RoleArn=f"arn:aws:iam::{third.id}:role/audit", RoleSessionName="two",
                                DurationSeconds=7200)
    assert code_of(refused)[1] == "ValidationError"
    second = chained_sts.assume_role(RoleArn=f"arn:aws:iam::{third.id}:role/audit", RoleSessionName="two")
    identity = aws("sts", key=keys_of(second)).get_caller_identity()
    assert (identity["Account"], identity["Arn"]) == (third.id, f"arn:aws:sts::{third.id}:assumed-role/audit/two")
    names = [user["UserName"] for user in aws("iam", key=keys_of(second)).list_users()["Users"]]
    assert names == ["third-only-user"]
    # Revoking alice's sessions, in her own account, ends the whole chain, whichever accounts it crossed.
    assert root_api.post("/api/v1/users/alice/revoke-sessions").status_code == 200
    with pytest.raises(ClientError) as refused:
        aws("iam", key=keys_of(second)).list_users()
    assert code_of(refused) == (403, "ExpiredToken")


def test_get_caller_identity_and_access_key_info_name_each_account(aws, world, live_server):
    member, _, alice, _ = world
    assert aws("sts", key=alice.test_access_key).get_caller_identity()["Account"] == MANAGEMENT
    root_key = member.root_api()
    member_sts = client_for(live_server, "sts", root_key.access_key_id, root_key.secret_access_key)
    identity = member_sts.get_caller_identity()
    assert identity == {**identity, "Account": member.id, "UserId": member.id,
                        "Arn": f"arn:aws:iam::{member.id}:root"}
    assert member_sts.get_access_key_info(AccessKeyId=alice.test_access_key[0])["Account"] == MANAGEMENT
    assert member_sts.get_access_key_info(AccessKeyId="AKIAAAAAAAAAAAAAAAAA")["Account"] == member.id


@pytest.mark.parametrize("principal", [f"arn:aws:iam::{NOT_AN_ACCOUNT}:root", NOT_AN_ACCOUNT,
                                       f"arn:aws:iam::{NOT_AN_ACCOUNT}:user/someone",
                                       f"arn:aws:sts::{NOT_AN_ACCOUNT}:assumed-role/r/s"])
def test_a_trust_policy_naming_an_account_the_directory_does_not_hold_is_refused(aws, world, principal):
    member, _, _, _ = world
    iam = aws("iam")
    with pytest.raises(ClientError) as refused:
        iam.create_role(RoleName="outsider", AssumeRolePolicyDocument=trust(principal))
    assert code_of(refused) == (400, "MalformedPolicyDocument")
    assert refused.value.response["Error"]["Message"] == f'Invalid principal in policy: "AWS":"{principal}"'
    iam.create_role(RoleName="insider", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{member.id}:root"))
    with pytest.raises(ClientError) as refused:
        iam.update_assume_role_policy(RoleName="insider", PolicyDocument=trust(principal))
    assert code_of(refused) == (400, "MalformedPolicyDocument")
    kept = iam.get_role(RoleName="insider")["Role"]["AssumeRolePolicyDocument"]  # botocore decodes it
    assert kept["Statement"][0]["Principal"] == {"AWS": [f"arn:aws:iam::{member.id}:root"]}


def test_the_rest_api_refuses_an_unknown_account_in_a_trust_policy_too(root_api):
    response = root_api.post("/api/v1/roles/", {"role_name": "outsider",
                                                "assume_role_policy_document": trust(NOT_AN_ACCOUNT)})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "MalformedPolicyDocument")
    assert "Invalid principal in policy" in response.json()["error"]["message"]
