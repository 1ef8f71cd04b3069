"""Outages of PostgreSQL and of Redis, on a running console: each door degrades cleanly and nothing is lost.

The servers stopped here are the test's own (see conftest), killed outright as in a crash. What each door
answered while a server was down, and how long recovery took, is printed for the record (`-s` shows it).
"""

from __future__ import annotations

import json
import time

import pytest

from tests.outages.conftest import Browser, page_title, wait_until

pytestmark = pytest.mark.celery

REPORT = "/api/v1/credential-report"


def record(what: str, value: object) -> None:
    print(f"[outage] {what}: {value}")


def test_database_outage_answers_503_on_every_door_and_recovers_without_restart(outage_stack):
    console, postgres, _ = outage_stack
    browser = Browser(console.base)
    assert browser.sign_in("root", console.root_password) == 302
    status, _, body = console.api("POST", "/api/v1/users/", json.dumps({"user_name": "before"}).encode())
    assert status == 201, body

    postgres.stop()
    try:
        api_status, api_headers, api_body = console.api("GET", "/api/v1/users/")
        write_status, _, write_body = console.api("POST", "/api/v1/users/", json.dumps({"user_name": "during"}).encode())
        query_status, query_headers, query_body = console.api(
            "POST", "/", b"Action=ListUsers&Version=2010-05-08", "application/x-www-form-urlencoded")
        page_status, page_headers, page = browser.request("GET", "/users/")
        stranger = Browser(console.base)
        stranger.request("GET", "/sign-in/")  # the form itself needs no database
        sign_in_status, _, sign_in_page = stranger.request("POST", "/sign-in/", {
            "user_name": "root", "password": console.root_password})
        health_status, health = console.health()
    finally:
        postgres.start()
    record("PostgreSQL down: API GET /api/v1/users/", (api_status, json.loads(api_body)["error"]["code"],
                                                       api_headers.get("Retry-After")))
    record("PostgreSQL down: API POST /api/v1/users/", write_status)
    record("PostgreSQL down: Query API ListUsers", (query_status, query_headers.get("Retry-After")))
    record("PostgreSQL down: console /users/", (page_status, page_title(page), page_headers.get("Retry-After")))
    record("PostgreSQL down: console sign-in POST", (sign_in_status, page_title(sign_in_page)))
    record("PostgreSQL down: health", (health_status, health))

    for status, headers, body in ((api_status, api_headers, api_body), (write_status, {}, write_body)):
        assert status == 503
        assert json.loads(body)["error"]["code"] == "ServiceUnavailable"
    assert api_headers["Retry-After"].isdigit() and api_headers["Content-Type"] == "application/json"
    assert query_status == 503 and query_headers["Retry-After"].isdigit()
    assert "<Code>ServiceUnavailable</Code>" in query_body
    assert page_status == sign_in_status == 503
    assert page_headers["Retry-After"].isdigit()
    for html in (page, sign_in_page):
        assert "Temporarily unavailable" in html and "Nothing was changed" in html
    assert (health_status, health["database"]) == (503, "unavailable")

    # Back without restarting anything: the same worker process answers, the same session is signed in.
    started = time.monotonic()
    wait_until(lambda: console.api("GET", "/api/v1/users/")[0] == 200, timeout=60)
    record("PostgreSQL back: seconds until the API answers", round(time.monotonic() - started, 2))
    assert browser.request("GET", "/users/")[0] == 200
    status, _, body = console.api("GET", "/api/v1/users/")
    names = {user["user_name"] for user in json.loads(body)["users"]}
    assert "before" in names and "during" not in names  # the acknowledged write is kept, the refused one absent
    assert console.web.poll() is None


def test_redis_outage_keeps_sessions_and_sign_in_and_loses_no_report_request(outage_stack):
    console, _, redis_server = outage_stack
    browser = Browser(console.base)
    assert browser.sign_in("root", console.root_password) == 302

    redis_server.stop()
    try:
        page_status, _, page = browser.request("GET", "/users/")
        newcomer = Browser(console.base)
        sign_in_status = newcomer.sign_in("root", console.root_password)
        newcomer_status = newcomer.request("GET", "/")[0]
        api_status, _, _ = console.api("GET", "/api/v1/users/")
        health_status, health = console.health()
        started = time.monotonic()
        report_status, report_headers, report_body = console.api("POST", REPORT)
        enqueue_seconds = time.monotonic() - started
        pending_status, _, pending_body = console.api("GET", REPORT)
    finally:
        redis_server.start()
    record("Redis down: console /users/ with an existing session", (page_status, page_title(page)))
    record("Redis down: console sign-in, then the dashboard", (sign_in_status, newcomer_status))
    record("Redis down: API GET /api/v1/users/", api_status)
    record("Redis down: health", (health_status, health))
    record("Redis down: POST credential-report", (report_status, json.loads(report_body)["error"]["code"],
                                                  round(enqueue_seconds, 2)))
    record("Redis down: GET credential-report", (pending_status, json.loads(pending_body)["error"]["code"]))

    assert page_status == 200 and "Users" in page
    assert (sign_in_status, newcomer_status) == (302, 200)
    assert api_status == 200
    assert (health_status, health) == (200, {"status": "degraded", "database": "ok", "redis": "unavailable"})
    # Told at once that the job queue is out, and the request is kept: the report is being generated.
    assert report_status == 503 and report_headers["Retry-After"].isdigit()
    assert "recorded" in json.loads(report_body)["error"]["message"]
    assert enqueue_seconds < 5
    assert json.loads(pending_body)["error"]["code"] == "ReportInProgress"

    started = time.monotonic()
    assert console.health() == (200, {"status": "ok", "database": "ok", "redis": "ok"})
    console.start_worker()
    # The next request (or the minute's sweep) queues the kept job again; the worker then generates it.
    time.sleep(1.1)  # the kept job becomes due for requeueing (IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS=1)
    status, _, body = console.api("POST", REPORT)
    assert (status, json.loads(body)["state"]) == (200, "INPROGRESS")
    wait_until(lambda: console.api("GET", REPORT)[0] == 200, timeout=60)
    record("Redis back: seconds until the kept report request is COMPLETE", round(time.monotonic() - started, 2))
    status, _, body = console.api("POST", REPORT)
    assert json.loads(body)["state"] == "COMPLETE"
    assert browser.request("GET", "/users/")[0] == 200
