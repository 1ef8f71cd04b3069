"""The same operation through the REST API and the Query API leaves the same audit event."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def last_event(event_name: str) -> AuditEvent:
    return AuditEvent.objects.filter(event_name=event_name).order_by("-id").first()


def same_event(rest: AuditEvent, query: AuditEvent, differing: dict) -> None:
    assert (rest.event_source, rest.event_name, rest.outcome, rest.actor_arn, rest.via) == \
        (query.event_source, query.event_name, query.outcome, query.actor_arn, query.via)
    assert rest.access_key_id == query.access_key_id
    assert {**rest.request_parameters, **differing} == {**query.request_parameters, **differing}
    assert set(rest.request_parameters) == set(query.request_parameters)


def test_create_user_with_tags_is_audited_alike(root_api, query):
    assert root_api.post("/api/v1/users/", {"user_name": "by-rest", "path": "/p/",
                                            "tags": [{"key": "team", "value": "a"}]}).status_code == 201
    rest = last_event("CreateUser")
    assert query.call("CreateUser", UserName="by-query", Path="/p/", **{"Tags.member.1.Key": "team",
                                                                         "Tags.member.1.Value": "a"}).status_code == 200
    same_event(rest, last_event("CreateUser"), {"user_name": None})


def test_group_membership_and_access_keys_are_audited_alike(root_api, query, make_user):
    make_user("member")
    for name in ("rest-group", "query-group"):
        query.call("CreateGroup", GroupName=name)
    root_api.post("/api/v1/groups/rest-group/members/", {"user_name": "member"})
    rest = last_event("AddUserToGroup")
    query.call("AddUserToGroup", GroupName="query-group", UserName="member")
    same_event(rest, last_event("AddUserToGroup"), {"group_name": None})

    root_api.post("/api/v1/users/member/access-keys/", {})
    rest = last_event("CreateAccessKey")
    query.call("CreateAccessKey", UserName="member")
    query_event = last_event("CreateAccessKey")
    same_event(rest, query_event, {})
    assert rest.response_elements.keys() == query_event.response_elements.keys()
    assert "secret" not in str(query_event.response_elements).lower()


def test_refusals_are_audited_alike(user_api, make_user):
    from tests.query.conftest import QueryClient

    user, rest_client = user_api("powerless")
    rest_client.post("/api/v1/groups/", {"group_name": "nope"})
    rest = last_event("CreateGroup")
    key_id, secret = user.test_access_key
    QueryClient(key_id, secret).call("CreateGroup", GroupName="nope")
    query_event = last_event("CreateGroup")
    assert rest.pk != query_event.pk and query_event.error_code == rest.error_code == "AccessDenied"
    same_event(rest, query_event, {})
