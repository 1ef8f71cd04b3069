"""Last accessed through the REST API: the same reports as the Query API, as resources in snake_case."""

from __future__ import annotations

import pytest

from tests.reports.conftest import wait_for

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def test_a_report_is_generated_read_and_paged(user_api, root_api, start_worker):
    alice, api = user_api("alice", policies=(READ_ONLY,))
    assert api.get("/api/v1/roles").status_code == 200
    started = root_api.post("/api/v1/last-accessed-reports/", {"arn": alice.arn, "granularity": "ACTION_LEVEL"})
    assert started.status_code == 202, started.content
    job_id = started.json()["job_id"]
    start_worker()
    report = wait_for(lambda: (lambda body: body if body["job_status"] == "COMPLETED" else None)(
        root_api.get(f"/api/v1/last-accessed-reports/{job_id}").json()))
    assert report["job_type"] == "ACTION_LEVEL" and report["error"] is None and report["is_truncated"] is False
    [service] = report["services_last_accessed"]
    assert service["service_namespace"] == "iam" and service["last_authenticated_entity"] == alice.arn
    assert service["last_authenticated"].endswith("Z")
    actions = {action["action_name"]: action for action in service["tracked_actions_last_accessed"]}
    assert actions["ListRoles"]["last_accessed_entity"] == alice.arn and "last_accessed_time" in actions["ListRoles"]
    entities = root_api.get(f"/api/v1/last-accessed-reports/{job_id}/services/iam/entities/").json()
    assert entities["entity_details_list"][0]["entity_info"]["name"] == "alice"


def test_bad_requests_are_refused_with_the_apis_errors(root_api, user_api):
    _, api = user_api("nobody")
    assert root_api.post("/api/v1/last-accessed-reports/", {"arn": "not-an-arn"}).status_code == 400
    assert root_api.post("/api/v1/last-accessed-reports/", {"arn": "arn:aws:iam::123456789012:user/x",
                                                            "granularity": "RESOURCE_LEVEL"}).status_code == 400
    missing = root_api.post("/api/v1/last-accessed-reports/", {"arn": "arn:aws:iam::123456789012:user/ghost"})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NoSuchEntity"
    assert root_api.get("/api/v1/last-accessed-reports/not-a-job").status_code == 404
    refused = api.post("/api/v1/last-accessed-reports/", {"arn": "arn:aws:iam::123456789012:user/nobody"})
    assert refused.status_code == 403
