"""The audit trail through the REST API: filters, keyset cursor, and who may read it."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_audit_events_list_newest_first_with_filters(root_api, root):
    root_api.post("/api/v1/users/", {"user_name": "audited"})
    root_api.post("/api/v1/users/", {"user_name": "audited"})  # EntityAlreadyExists: a failure on record
    body = root_api.get("/api/v1/audit-events/?event_name=CreateUser").json()
    events = body["events"]
    assert [e["outcome"] for e in events] == ["Failure", "Success"]
    assert events[0]["error_code"] == "EntityAlreadyExists"
    assert events[1]["actor"] == root.arn and events[1]["via"] == "api"
    assert events[1]["access_key_id"] and events[1]["request_parameters"]["user_name"] == "audited"
    failures = root_api.get("/api/v1/audit-events/?outcome=Failure&event_name=CreateUser").json()["events"]
    assert len(failures) == 1
    assert root_api.get("/api/v1/audit-events/?actor=arn%3Aaws%3Aiam%3A%3A000000000000%3Aroot").json()["events"] == []


def test_audit_events_cursor_walks_every_event_once(root_api):
    for i in range(5):
        root_api.post("/api/v1/groups/", {"group_name": f"ag{i}"})
    seen, marker = [], ""
    for _ in range(10):
        page = root_api.get(f"/api/v1/audit-events/?event_name=CreateGroup&limit=2&marker={marker}").json()
        seen += [e["request_parameters"]["group_name"] for e in page["events"]]
        if not page["is_truncated"]:
            break
        marker = page["marker"]
    assert seen == ["ag4", "ag3", "ag2", "ag1", "ag0"]


def test_audit_events_time_window(root_api):
    root_api.post("/api/v1/groups/", {"group_name": "timed"})
    event = AuditEvent.objects.filter(event_name="CreateGroup").get()
    stamp = quote(event.event_time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), safe="")
    inside = root_api.get(f"/api/v1/audit-events/?event_name=CreateGroup&start_time={stamp}&end_time={stamp}")
    assert len(inside.json()["events"]) == 1
    after = root_api.get("/api/v1/audit-events/?start_time=2999-01-01T00%3A00%3A00Z").json()
    assert after["events"] == []
    assert error(root_api.get("/api/v1/audit-events/?start_time=2999-01-01T00%3A00%3A00Z"
                              "&end_time=2000-01-01T00%3A00%3A00Z")) == (400, "ValidationError")
    assert error(root_api.get("/api/v1/audit-events/?start_time=yesterday")) == (400, "ValidationError")
    assert error(root_api.get("/api/v1/audit-events/?outcome=Maybe")) == (400, "ValidationError")


def test_user_without_permission_cannot_read_the_audit_trail_and_the_refusal_is_recorded(user_api):
    user, api = user_api("snoop")
    response = api.get("/api/v1/audit-events/")
    assert error(response) == (403, "AccessDenied")
    assert "cloudtrail:LookupEvents" in response.json()["error"]["message"]
    refusal = AuditEvent.objects.get(event_name="LookupEvents")
    assert (refusal.actor_arn, refusal.outcome, refusal.event_source) == (user.arn, "Failure",
                                                                          "cloudtrail.amazonaws.com")
