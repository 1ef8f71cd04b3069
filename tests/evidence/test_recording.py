"""Every decision is recorded, through every door, as one aggregated row per principal, action and outcome; the
flush loses nothing and never counts twice."""

from __future__ import annotations

import threading
from xml.etree import ElementTree

import redis
from django.db import transaction

from evidence import recording
from evidence.models import ActionUsage, AppliedBatch
from tests.query.conftest import QueryClient
from tests.sts.conftest import role_arn, trust, user_arn

READ_ONLY = ("arn:aws:iam::aws:policy/IAMReadOnlyAccess",)
DOC = "arn:aws:docs:::document/{}/{}"


def test_rest_and_query_decisions_are_counted_per_action_and_outcome(user_api, usage):
    alice, api = user_api("alice", policies=READ_ONLY)
    for _ in range(3):
        assert api.get("/api/v1/users").status_code == 200
    assert api.post("/api/v1/users", {"user_name": "mallory"}).status_code == 403
    key_id, secret = alice.test_access_key
    assert QueryClient(key_id, secret).call("ListUsers").status_code == 200

    rows = usage()
    listed = rows[(alice.user_id, "iam:ListUsers", True)]
    assert listed.count == 4 and listed.account_id == alice.account_id and listed.entity_type == "user"
    assert listed.last_source == "query" and listed.last_principal_arn == alice.arn
    refused = rows[(alice.user_id, "iam:CreateUser", False)]
    assert refused.count == 1 and refused.last_source == "rest"
    assert (alice.user_id, "iam:CreateUser", True) not in rows


def test_console_decisions_are_recorded_as_the_console(user_console, usage):
    alice, console = user_console("alice", policies=READ_ONLY)
    assert console.get("/users/").status_code == 200
    rows = usage()
    assert rows[(alice.user_id, "iam:ListUsers", True)].last_source == "console"


def test_role_sessions_count_for_their_role_and_assume_role_for_the_caller(make_user, make_role, usage):
    bob = make_user("bob", access_key=True)
    role = make_role("reader", trust(user_arn("bob")), policies=READ_ONLY)
    refused = make_role("closed", trust(user_arn("nobody-else")))
    sts = QueryClient(*bob.test_access_key, service="sts")
    answer = sts.call("AssumeRole", RoleArn=role_arn("reader"), RoleSessionName="s1")
    assert answer.status_code == 200, answer.content
    assert sts.call("AssumeRole", RoleArn=role_arn("closed"), RoleSessionName="s1").status_code == 403
    root = ElementTree.fromstring(answer.content)
    found = {element.tag.rsplit("}", 1)[1]: element.text for element in root.iter()}
    session = QueryClient(found["AccessKeyId"], found["SecretAccessKey"], session_token=found["SessionToken"])
    assert session.call("ListRoles").status_code == 200

    rows = usage()
    assumed = rows[(bob.user_id, "sts:AssumeRole", True)]
    assert assumed.last_source == "sts" and assumed.count == 1
    assert rows[(bob.user_id, "sts:AssumeRole", False)].count == 1
    by_role = rows[(role.role_id, "iam:ListRoles", True)]
    assert by_role.entity_type == "role" and by_role.last_principal_arn.endswith(":assumed-role/reader/s1")
    assert refused.role_id not in {key[0] for key in rows}


def test_decisions_for_another_service_are_recorded_for_the_principal(docs_service, service_identity,
                                                                      document_user, usage):
    _, service = service_identity
    alice = document_user("alice")
    for resource in (DOC.format("alice", "a.txt"), DOC.format("bob", "b.txt")):
        response = service.post("/api/v1/authorization/decide",
                                {"principal_arn": alice.arn, "action": "docs:GetDocument", "resource": resource})
        assert response.status_code == 200, response.content
    rows = usage()
    assert rows[(alice.user_id, "docs:GetDocument", True)].last_source == "service"
    assert rows[(alice.user_id, "docs:GetDocument", False)].count == 1


def test_the_root_user_and_the_system_are_not_tracked(root_api, usage):
    assert root_api.get("/api/v1/users").status_code == 200
    assert usage() == {}


def batch_key(batch_id: str) -> str:
    return f"{recording.live_key().rsplit(':', 1)[0]}:batch:{batch_id}"


def test_a_flush_that_died_midway_is_finished_by_the_next_and_nothing_counts_twice(user_api, usage):
    alice, api = user_api("alice", policies=READ_ONLY)
    client = recording.redis_client()
    api.get("/api/v1/users")
    api.get("/api/v1/users")
    # A flush took the live hash and committed it, then died before removing the batch from Redis.
    client.rename(recording.live_key(), batch_key("deadbeef"))
    with transaction.atomic():
        AppliedBatch.objects.create(batch_id="deadbeef")
        recording.upsert(recording.parse_batch(client.hgetall(batch_key("deadbeef"))))
    # Another took the next decision and died before its commit.
    api.get("/api/v1/users")
    client.rename(recording.live_key(), batch_key("cafebabe"))
    api.get("/api/v1/users")

    rows = usage()
    assert rows[(alice.user_id, "iam:ListUsers", True)].count == 4
    assert set(AppliedBatch.objects.values_list("batch_id", flat=True)) >= {"deadbeef", "cafebabe"}
    assert not list(client.scan_iter(match=batch_key("*")))
    assert usage()[(alice.user_id, "iam:ListUsers", True)].count == 4  # a flush with nothing new adds nothing


def test_decisions_reach_the_database_directly_while_redis_is_unreachable(user_api, usage, monkeypatch):
    alice, api = user_api("alice", policies=READ_ONLY)
    monkeypatch.setattr(recording, "_client", redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2))
    monkeypatch.setattr(recording, "_local", threading.local())  # this thread's connection: to the dead Redis
    monkeypatch.setattr(recording, "_redis_down_until", 0.0)
    assert api.get("/api/v1/users").status_code == 200
    assert api.post("/api/v1/users", {"user_name": "mallory"}).status_code == 403
    rows = {(row.entity_id, row.action, row.allowed): row for row in ActionUsage.objects.all()}
    assert rows[(alice.user_id, "ListUsers", True)].count == 1
    assert rows[(alice.user_id, "CreateUser", False)].last_source == "rest"


def test_a_verified_and_decided_request_is_recorded_for_its_signer(docs_service, service_identity,
                                                                    document_user, usage):
    from tests.authorization_api.test_verify import signed_material, verify

    _, service = service_identity
    alice = document_user("alice")
    body = verify(service, signed_material(*alice.test_access_key), action="docs:GetDocument",
                  resource=DOC.format("alice", "report.txt"))
    assert body["decision"]["decision"] == "allowed"
    recorded = usage()[(alice.user_id, "docs:GetDocument", True)]
    assert recorded.last_source == "service" and recorded.count == 1 and recorded.last_principal_arn == alice.arn
