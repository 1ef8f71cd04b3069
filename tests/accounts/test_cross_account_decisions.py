"""Decisions for other services across accounts: the asking service's account owns the resource, so a principal
of another account is allowed only when its own identity policies AND the resource policy the service supplies
both allow (AWS's cross-account rule); within one account nothing changes."""

from __future__ import annotations

import json

import pytest

from directory.services import inline
from tests.authorization_api.conftest import OWN_DOCUMENTS

pytestmark = pytest.mark.django_db
DOC = "arn:aws:docs:::document/{}/{}"


def decide(client, **body):
    return client.post("/api/v1/authorization/decide", body).json()


@pytest.fixture
def outsider(make_account):
    """alice of a member account, allowed her own documents by her own account's policies."""
    member = make_account("Member")
    alice = member.make_user("alice", access_key=True)
    inline.put_user_policy(caller=member.caller, user_name="alice", policy_name="own-documents",
                           policy_document=OWN_DOCUMENTS)
    return member, alice


def resource_policy(principal: str) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal},
                                                    "Action": "docs:GetDocument", "Resource": "*"}]}


def test_another_accounts_principal_needs_the_resource_policy_and_its_own_policies(
        docs_service, service_identity, outsider):
    _, service = service_identity
    member, alice = outsider
    resource = DOC.format("alice", "report.txt")
    # Its identity policies allow, but the resource is the service's account's: no resource policy, no access.
    answer = decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource=resource)
    assert answer["decision"] == "implicitDeny"
    assert answer["principal"]["account"] == member.id
    # A resource policy naming her (or her account) and her own policies: allowed.
    for principal in (alice.arn, f"arn:aws:iam::{member.id}:root", member.id):
        answer = decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource=resource,
                        resource_policy=resource_policy(principal))
        assert answer["decision"] == "allowed", principal
    # A resource policy alone is not enough across accounts: her own policies must allow too.
    answer = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                    resource=DOC.format("bob", "x.txt"), resource_policy=resource_policy(alice.arn))
    assert answer["decision"] == "implicitDeny"


def test_within_the_services_account_a_resource_policy_naming_the_principal_grants_on_its_own(
        docs_service, service_identity, make_user):
    _, service = service_identity
    bob = make_user("bob")
    answer = decide(service, principal_arn=bob.arn, action="docs:GetDocument", resource=DOC.format("x", "y"),
                    resource_policy=resource_policy(bob.arn))
    assert answer["decision"] == "allowed"


def test_principals_of_other_accounts_held_or_not_answer_alike_without_a_resource_policy(
        docs_service, service_identity, outsider):
    """Whether another account, or a principal in it, exists is never told: every such principal is decided as
    one with no permissions here, in the same shape."""
    _, service = service_identity
    member, alice = outsider
    answers = [decide(service, principal_arn=arn, action="docs:GetDocument", resource="*")
               for arn in (alice.arn, f"arn:aws:iam::{member.id}:user/ghost", f"arn:aws:iam::{member.id}:root",
                           "arn:aws:iam::210987654321:user/alice", "arn:aws:iam::210987654321:root")]
    assert {answer["decision"] for answer in answers} == {"implicitDeny"}
    assert all(answer["matched_statements"] == [] for answer in answers)
    assert {tuple(sorted(answer["principal"])) for answer in answers} == {("account", "arn", "type")}
    assert [answer["principal"]["account"] for answer in answers] == [member.id] * 3 + ["210987654321"] * 2


def test_a_service_learns_nothing_of_another_accounts_principal_beyond_its_arn(
        docs_service, service_identity, outsider, root_caller):
    """IAM's API reads only its caller's account: permissions to read users, tags, groups and policies, even on
    every resource, tell nothing about a principal of another account, and name none of its statements."""
    _, service = service_identity
    member, alice = outsider
    inline.put_user_policy(caller=root_caller, user_name="docs-service", policy_name="reads-everything",
                           policy_document=json.dumps({"Version": "2012-10-17", "Statement": [{
                               "Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}]}))
    answer = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                    resource=DOC.format("alice", "report.txt"), resource_policy=resource_policy(alice.arn))
    assert answer["decision"] == "allowed"
    assert answer["principal"] == {"arn": alice.arn, "account": member.id, "type": "user"}
    assert [statement["source"] for statement in answer["matched_statements"]] == ["resource"]
