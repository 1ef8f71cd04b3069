"""Decisions for other services: the directory's policies decide, with the statements and principal they need."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from directory.services import groups, inline, tags
from tests.authorization_api.conftest import SERVICE_ARN, policy

DOC = "arn:aws:docs:::document/{}/{}"
# What a service must hold to be told who a principal is and which of its statements decided.
READS = ["iam:GetUser", "iam:ListUserTags", "iam:ListGroupsForUser", "iam:GetUserPolicy", "iam:GetGroupPolicy",
         "iam:GetPolicy"]


def may_read_principals(root_caller) -> None:
    inline.put_user_policy(caller=root_caller, user_name="docs-service", policy_name="ask", policy_document=policy(
        {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": SERVICE_ARN},
        {"Effect": "Allow", "Action": READS, "Resource": "*"}))


def decide(client, **body):
    return client.post("/api/v1/authorization/decide", body)


def test_own_documents_are_allowed_with_the_deciding_statement_and_principal(
        docs_service, service_identity, document_user, root_caller):
    _, service = service_identity
    alice = document_user("alice")
    groups.create_group(caller=root_caller, group_name="finance")
    groups.add_user_to_group(caller=root_caller, group_name="finance", user_name="alice")
    tags.tag_user(caller=root_caller, user_name="alice", tags=[{"Key": "team", "Value": "ledger"}])
    may_read_principals(root_caller)
    response = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                      resource=DOC.format("alice", "report.txt"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["decision"] == "allowed" and body["allowed"] is True
    [statement] = body["matched_statements"]
    assert statement["effect"] == "Allow" and statement["source_policy_type"] == "user"
    assert statement["source_policy_name"] == "own-documents"
    assert body["principal"] == {"arn": alice.arn, "account": "123456789012", "type": "user",
                                 "user_id": alice.user_id, "user_name": "alice", "tags": {"team": "ledger"},
                                 "groups": ["finance"]}


def test_other_peoples_documents_are_an_implicit_deny(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    body = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                  resource=DOC.format("bob", "salary.txt")).json()
    assert body["decision"] == "implicitDeny" and body["matched_statements"] == []


def test_an_explicit_deny_wins_and_names_its_statement(docs_service, service_identity, document_user, root_caller):
    _, service = service_identity
    alice = document_user("alice")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="no-secrets", policy_document=policy(
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": "docs:*", "Resource": DOC.format("*", "secret-*")}))
    may_read_principals(root_caller)
    body = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                  resource=DOC.format("alice", "secret-plan")).json()
    assert body["decision"] == "explicitDeny"
    assert [s["sid"] for s in body["matched_statements"] if s["effect"] == "Deny"] == ["NoSecrets"]


def test_request_context_keys_reach_conditions(docs_service, service_identity, document_user, root_caller):
    _, service = service_identity
    bob = document_user("bob")
    inline.put_user_policy(caller=root_caller, user_name="bob", policy_name="public", policy_document=policy(
        {"Effect": "Allow", "Action": "docs:GetDocument", "Resource": "*",
         "Condition": {"StringEquals": {"docs:Classification": "public"}}}))
    public = decide(service, principal_arn=bob.arn, action="docs:GetDocument", resource=DOC.format("x", "y"),
                    context={"docs:Classification": "public"}).json()
    secret = decide(service, principal_arn=bob.arn, action="docs:GetDocument", resource=DOC.format("x", "y"),
                    context={"docs:Classification": "secret"}).json()
    assert (public["decision"], secret["decision"]) == ("allowed", "implicitDeny")


def test_a_resource_policy_naming_the_principal_grants_on_its_own(docs_service, service_identity, make_user):
    _, service = service_identity
    carol = make_user("carol")  # no identity policy at all
    shared = policy({"Effect": "Allow", "Principal": {"AWS": carol.arn}, "Action": "docs:GetDocument",
                     "Resource": DOC.format("alice", "shared.txt")})
    body = decide(service, principal_arn=carol.arn, action="docs:GetDocument",
                  resource=DOC.format("alice", "shared.txt"), resource_policy=shared).json()
    assert body["decision"] == "allowed"
    assert body["matched_statements"][0]["source_policy_type"] == "resource"


def test_a_resource_policy_trusting_the_account_needs_identity_policies_too(
        docs_service, service_identity, make_user, document_user):
    _, service = service_identity
    carol = make_user("carol")
    alice = document_user("alice")
    account_wide = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                    "Action": "docs:GetDocument", "Resource": "*"}
    carol_body = decide(service, principal_arn=carol.arn, action="docs:GetDocument",
                        resource=DOC.format("carol", "a"), resource_policy=policy(account_wide)).json()
    alice_body = decide(service, principal_arn=alice.arn, action="docs:GetDocument",
                        resource=DOC.format("alice", "a"), resource_policy=policy(account_wide)).json()
    assert (carol_body["decision"], alice_body["decision"]) == ("implicitDeny", "allowed")


def test_a_deny_in_the_resource_policy_wins(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    body = decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource=DOC.format("alice", "a"),
                  resource_policy={"Version": "2012-10-17", "Statement": [
                      {"Effect": "Deny", "Principal": "*", "Action": "docs:*", "Resource": "*"}]}).json()
    assert body["decision"] == "explicitDeny"


def test_a_malformed_resource_policy_is_refused(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    response = decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource="*",
                      resource_policy='{"Statement": "nope"')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MalformedPolicyDocument"


def test_only_services_allowed_to_ask_may_ask(docs_service, user_api, document_user):
    alice = document_user("alice")
    _, stranger = user_api("stranger")
    response = decide(stranger, principal_arn=alice.arn, action="docs:GetDocument", resource="*")
    assert response.status_code == 403 and response.json()["error"]["code"] == "AccessDenied"
    assert "iam:AuthorizeRequest" in response.json()["error"]["message"]


def test_a_service_may_ask_only_about_its_own_actions(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    response = decide(service, principal_arn=alice.arn, action="billing:GetInvoice", resource="*")
    assert response.status_code == 403


@pytest.mark.parametrize(("body", "code"), [
    ({"principal_arn": "alice", "action": "docs:GetDocument"}, "InvalidInput"),
    ({"principal_arn": "arn:aws:iam::123456789012:user/alice", "action": "GetDocument"}, "ValidationError"),
    ({"principal_arn": "arn:aws:iam::123456789012:user/alice", "action": "docs:GetDocument",
      "resource": "a\x00b"}, "ValidationError"),
    ({"principal_arn": "arn:aws:iam::123456789012:user/alice", "action": "docs:GetDocument",
      "context": {"docs:X": {"nested": 1}}}, "ValidationError"),
])
def test_bad_requests_say_what_to_fix(docs_service, service_identity, document_user, body, code):
    _, service = service_identity
    document_user("alice")
    response = service.post("/api/v1/authorization/decide", body)
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == code


def test_every_decision_is_audited_under_the_services_name(docs_service, service_identity, document_user):
    service_user, service = service_identity
    alice = document_user("alice")
    decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource=DOC.format("alice", "a"))
    decide(service, principal_arn=alice.arn, action="docs:GetDocument", resource=DOC.format("bob", "b"))
    events = list(AuditEvent.objects.filter(event_source="docs").order_by("id"))
    assert [(e.event_name, e.actor_arn, e.outcome) for e in events] == [
        ("GetDocument", alice.arn, AuditEvent.Outcome.SUCCESS),
        ("GetDocument", alice.arn, AuditEvent.Outcome.FAILURE)]
    assert events[1].error_code == "AccessDenied"
    assert events[0].request_parameters["decidedFor"] == service_user.arn
    assert events[0].resources == [DOC.format("alice", "a")]


def test_a_batch_decides_each_request_and_answers_errors_per_item(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    items = [{"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOC.format(owner, "a")}
             for owner in ("alice", "bob")] + [{"principal_arn": "alice", "action": "docs:GetDocument"}]
    response = service.post("/api/v1/authorization/decide-batch", {"requests": items})
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r.get("decision") for r in results[:2]] == ["allowed", "implicitDeny"]
    assert results[2]["error"]["code"] == "InvalidInput"


def test_a_batch_holds_at_most_thirty(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    item = {"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOC.format("alice", "a")}
    assert service.post("/api/v1/authorization/decide-batch", {"requests": [item] * 30}).status_code == 200
    refused = service.post("/api/v1/authorization/decide-batch", {"requests": [item] * 31})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "LimitExceeded"


def test_a_batch_loads_each_principal_once(docs_service, service_identity, document_user,
                                           django_assert_max_num_queries):
    _, service = service_identity
    alice = document_user("alice")
    items = [{"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOC.format("alice", str(i))}
             for i in range(30)]
    service.post("/api/v1/authorization/decide-batch", {"requests": items[:1]})  # warm the compiled policies
    # per decision: its audit event; the principal, its policies and the asking service once per batch
    with django_assert_max_num_queries(30 + 10):
        assert service.post("/api/v1/authorization/decide-batch", {"requests": items}).status_code == 200


def test_a_resource_policy_allowing_with_not_principal_is_accepted_and_decides(
        docs_service, service_identity, make_user):
    """Legal in AWS resource policies (though discouraged): a service that stored one gets decisions, not 400."""
    _, service = service_identity
    carol, dave = make_user("carol"), make_user("dave")
    everyone_but_dave = policy({"Effect": "Allow", "NotPrincipal": {"AWS": dave.arn}, "Action": "docs:GetDocument",
                                "Resource": "*"})
    carol_answer = decide(service, principal_arn=carol.arn, action="docs:GetDocument", resource=DOC.format("a", "b"),
                          resource_policy=everyone_but_dave)
    assert carol_answer.status_code == 200, carol_answer.content
    assert carol_answer.json()["decision"] == "allowed"
    dave_answer = decide(service, principal_arn=dave.arn, action="docs:GetDocument", resource=DOC.format("a", "b"),
                         resource_policy=everyone_but_dave)
    assert dave_answer.json()["decision"] == "implicitDeny"
