"""The hot paths make the fewest queries their semantics allow, once the caller's policies are in the process's
cache (policies.generation): the signing key and its user come in one query that also reads the policy generation,
so a caller whose policies have not changed costs no policy query at all.

Inside a test, each operation's transaction shows as a SAVEPOINT and its RELEASE (BEGIN and COMMIT in production).
"""

from __future__ import annotations

import pytest
from django.test import Client

from directory.services import login_profiles
from tests.authorization_api.test_verify import signed_material, verify
from tests.query.conftest import QueryClient
from tests.sts.conftest import role_arn
from tests.support.signing import SignedClient

DOCUMENT = "arn:aws:docs:::document/alice/report.txt"
CONSOLE_PASSWORD = "Alice-Console-Passw0rd!"  # test data


def twice(call, assert_queries, count: int):
    """The first call fills the caches (and stamps the key's last use); the second is measured."""
    call()
    with assert_queries(count):
        return call()


def test_get_caller_identity_is_one_query(alice, django_assert_num_queries):
    sts = QueryClient(*alice.test_access_key, service="sts")
    response = twice(lambda: sts.call("GetCallerIdentity"), django_assert_num_queries, 1)  # the key and its user
    assert response.status_code == 200


def test_a_signed_list_page_is_the_key_and_the_page(alice, django_assert_num_queries):
    rest = SignedClient(*alice.test_access_key)
    # the key with its user and the generation; the page of users (in the operation's transaction)
    response = twice(lambda: rest.get("/api/v1/users/?limit=100"), django_assert_num_queries, 4)
    assert response.status_code == 200


def test_assume_role_reads_the_key_and_the_role_and_writes_the_session_and_its_event(alice,
                                                                                    django_assert_num_queries):
    sts = QueryClient(*alice.test_access_key, service="sts")
    names = iter(("first", "second"))
    # the key; the role; the session; the audit event (in the operation's transaction)
    response = twice(lambda: sts.call("AssumeRole", RoleArn=role_arn("reader"), RoleSessionName=next(names)),
                     django_assert_num_queries, 6)
    assert response.status_code == 200, response.content


def test_verify_and_decide_is_two_keys_and_the_audit_event(docs_service, service_identity, document_user,
                                                           django_assert_num_queries):
    _, service = service_identity
    material = signed_material(*document_user("alice").test_access_key)
    body = twice(lambda: verify(service, material, action="docs:GetDocument", resource=DOCUMENT),
                 django_assert_num_queries, 3)
    assert body["verified"] is True and body["decision"]["decision"] == "allowed"


def test_a_decision_by_arn_is_the_key_the_principal_and_the_audit_event(docs_service, service_identity,
                                                                         document_user, django_assert_num_queries):
    _, service = service_identity
    alice = document_user("alice")
    response = twice(lambda: service.post("/api/v1/authorization/decide", {
        "principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOCUMENT}),
        django_assert_num_queries, 3)
    assert response.json()["decision"] == "allowed"


@pytest.mark.parametrize("size", [1, 30])
def test_a_batch_costs_the_same_queries_however_many_decisions(docs_service, service_identity, document_user,
                                                               django_assert_num_queries, size):
    _, service = service_identity
    alice = document_user("alice")
    item = {"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": DOCUMENT}
    # the key; the principal; every audit event in one INSERT (in one transaction)
    response = twice(lambda: service.post("/api/v1/authorization/decide-batch", {"requests": [item] * size}),
                     django_assert_num_queries, 5)
    results = response.json()["results"]
    assert len(results) == size and all(result["decision"] == "allowed" for result in results)


def test_a_console_page_reads_its_user_account_and_generation_at_once(alice, root_caller, django_assert_num_queries):
    login_profiles.create_login_profile(caller=root_caller, user_name="alice", password=CONSOLE_PASSWORD)
    browser = Client()
    assert browser.post("/sign-in/", {"user_name": "alice", "password": CONSOLE_PASSWORD}).status_code == 302
    # the session; the user with its account and the generation; the password policy and MFA rules the session
    # rules check; the page of users (in the operation's transaction); the account's alias; the recent roles menu
    response = twice(lambda: browser.get("/users/"), django_assert_num_queries, 9)
    assert response.status_code == 200
