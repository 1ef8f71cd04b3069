"""What the authorization API tells a service: the decision it asked for, and about a principal only what the
service itself may read (iam:GetUser, iam:ListUserTags, iam:GetUserPolicy …). Verify tells who signed the request
the service received, for the service's own signing name only."""

from __future__ import annotations

import json

import pytest

from directory.services import attachments, groups, inline, tags
from tests.authorization_api.conftest import SERVICE_ARN, policy
from tests.authorization_api.test_verify import signed_material

DOC = "arn:aws:docs:::document/alice/report.txt"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture
def alice(document_user, root_caller):
    """A user with tags, a group and AdministratorAccess: everything a service must not learn unasked."""
    user = document_user("alice")
    groups.create_group(caller=root_caller, group_name="finance")
    groups.add_user_to_group(caller=root_caller, group_name="finance", user_name="alice")
    tags.tag_user(caller=root_caller, user_name="alice", tags=[{"Key": "clearance", "Value": "top-secret"}])
    attachments.attach_user_policy(caller=root_caller, user_name="alice", policy_arn=ADMIN)
    return user


def allow_service(root_caller, *statements) -> None:
    inline.put_user_policy(caller=root_caller, user_name="docs-service", policy_name="reads",
                           policy_document=policy(*statements))


def decide(client, principal_arn, action="docs:GetDocument", resource=DOC, **extra):
    response = client.post("/api/v1/authorization/decide", {"principal_arn": principal_arn, "action": action,
                                                            "resource": resource, **extra})
    return response.status_code, response.json()


def test_decide_tells_only_the_decision_to_a_service_that_may_read_nothing(docs_service, service_identity, alice):
    _, service = service_identity
    status, body = decide(service, alice.arn)
    assert status == 200 and body["decision"] == "allowed"
    assert body["matched_statements"] == []
    assert body["principal"] == {"arn": alice.arn, "account": "123456789012", "type": "user"}
    text = json.dumps(body)
    for secret in ("AdministratorAccess", "own-documents", "finance", "top-secret", "clearance", alice.user_id):
        assert secret not in text


@pytest.mark.parametrize("arn", ["arn:aws:iam::123456789012:user/ghost", "arn:aws:iam::999999999999:user/alice",
                                 "arn:aws:iam::123456789012:user/team/ghost",
                                 "arn:aws:sts::123456789012:assumed-role/NoRole/nobody"])
def test_a_principal_that_does_not_exist_gets_the_implicit_deny_of_one_with_no_permissions(
        docs_service, service_identity, make_user, arn):
    _, service = service_identity
    powerless = make_user("powerless")
    status, body = decide(service, arn)
    known_status, known = decide(service, powerless.arn)
    assert (status, known_status) == (200, 200)
    assert body["decision"] == known["decision"] == "implicitDeny"
    assert body["matched_statements"] == known["matched_statements"] == []
    assert body.keys() == known.keys() and body["principal"].keys() == known["principal"].keys()
    assert body["principal"]["arn"] == arn


def test_a_batch_answers_a_missing_principal_as_an_implicit_deny(docs_service, service_identity, alice):
    _, service = service_identity
    response = service.post("/api/v1/authorization/decide-batch", {"requests": [
        {"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOC},
        {"principal_arn": "arn:aws:iam::123456789012:user/ghost", "action": "docs:GetDocument", "resource": DOC}]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [result.get("decision") for result in results] == ["allowed", "implicitDeny"]
    assert "error" not in results[1]


def test_a_service_allowed_to_read_the_user_learns_what_each_permission_covers(docs_service, service_identity,
                                                                             alice, root_caller):
    _, service = service_identity
    allow_service(root_caller, {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": SERVICE_ARN},
                  {"Effect": "Allow", "Action": "iam:GetUser", "Resource": alice.arn})
    assert decide(service, alice.arn)[1]["principal"] == {
        "arn": alice.arn, "account": "123456789012", "type": "user", "user_id": alice.user_id,
        "user_name": "alice"}
    allow_service(root_caller, {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": SERVICE_ARN},
                  {"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUserTags", "iam:ListGroupsForUser"],
                   "Resource": alice.arn})
    principal = decide(service, alice.arn)[1]["principal"]
    assert principal["tags"] == {"clearance": "top-secret"} and principal["groups"] == ["finance"]


def test_matched_statements_name_only_policies_the_service_may_read(docs_service, service_identity, alice,
                                                                   root_caller):
    _, service = service_identity
    allow_service(root_caller, {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": SERVICE_ARN},
                  {"Effect": "Allow", "Action": "iam:GetUserPolicy", "Resource": alice.arn})
    statements = decide(service, alice.arn)[1]["matched_statements"]
    assert [s["source_policy_name"] for s in statements] == ["own-documents"]
    allow_service(root_caller, {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": SERVICE_ARN},
                  {"Effect": "Allow", "Action": "iam:GetUserPolicy", "Resource": alice.arn},
                  {"Effect": "Allow", "Action": "iam:GetPolicy", "Resource": ADMIN})
    names = sorted(s["source_policy_name"] for s in decide(service, alice.arn)[1]["matched_statements"])
    assert names == ["AdministratorAccess", "own-documents"]


def test_statements_of_the_services_own_resource_policy_are_always_named(docs_service, service_identity,
                                                                        make_user):
    _, service = service_identity
    carol = make_user("carol")
    shared = policy({"Sid": "Shared", "Effect": "Allow", "Principal": {"AWS": carol.arn},
                     "Action": "docs:GetDocument", "Resource": DOC})
    _, body = decide(service, carol.arn, resource_policy=shared)
    assert body["decision"] == "allowed"
    assert [(s["sid"], s["source_policy_type"]) for s in body["matched_statements"]] == [("Shared", "resource")]


def verify(client, material, service="docs", **authorize):
    body = {"service": service, "request": material}
    if authorize:
        body["authorize"] = authorize
    response = client.post("/api/v1/authorization/verify", body)
    return response.status_code, response.json()


def test_verify_names_the_signer_but_not_its_tags_groups_or_policies(docs_service, service_identity, alice):
    _, service = service_identity
    status, body = verify(service, signed_material(*alice.test_access_key), action="docs:GetDocument",
                          resource=DOC)
    assert status == 200 and body["verified"] is True
    assert body["principal"] == {"arn": alice.arn, "account": "123456789012", "type": "user",
                                 "user_id": alice.user_id, "user_name": "alice"}
    assert body["decision"]["decision"] == "allowed" and body["decision"]["matched_statements"] == []
    text = json.dumps(body)
    for secret in ("AdministratorAccess", "finance", "top-secret"):
        assert secret not in text


@pytest.mark.parametrize("signing_name", ["iam", "sts"])
def test_verify_refuses_requests_signed_for_the_directory_itself(docs_service, service_identity, alice,
                                                                 root_api, signing_name):
    """The probe: a service that may ask about docs asks to verify a request signed for iam (or sts)."""
    _, service = service_identity
    material = signed_material(*alice.test_access_key, service=signing_name)
    for client in (service, root_api):  # not even an identity allowed everything
        status, body = verify(client, material, service=signing_name, action="docs:GetDocument", resource=DOC)
        assert (status, body["error"]["code"]) == (403, "AccessDenied"), body
        assert "verified" not in body


def test_verify_refuses_another_services_signing_name(docs_service, service_identity, alice, root_caller):
    from policies.services import catalogue

    catalogue.put_service_definition(caller=root_caller, service_prefix="ledger", name="Ledger",
                                     actions=[{"name": "GetInvoice", "access_level": "Read"}])
    _, service = service_identity
    material = signed_material(*alice.test_access_key, service="ledger")
    status, body = verify(service, material, service="ledger", action="docs:GetDocument", resource=DOC)
    assert (status, body["error"]["code"]) == (403, "AccessDenied")
    assert "service/ledger" in body["error"]["message"]
