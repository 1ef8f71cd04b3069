"""Requests at the edges of the web tier: URL-level refusals carry a request id like every other error body, and a
credential report asked for while its job queue is down (refusing or silent) is answered within a second."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from django.http import HttpResponse, JsonResponse

from iam_console.celery import app as celery_app
from iam_console.middleware import as_api_error
from tests.support.signing import SignedClient

URL_LEVEL_ERRORS = [
    ("GET", "/api/v1/users/alice/inline-policies/a%00b/"),  # a name no route takes: the API's own 404
    ("GET", "/api/v1/no-such-route/"),
    ("GET", "/api/v1/users/" + "n" * 300 + "/"),
    ("PUT", "/api/v1/health/"),
    ("DELETE", "/api/v1/sts/caller-identity"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), URL_LEVEL_ERRORS)
def test_every_api_error_body_carries_the_request_id_of_its_header(root_api: SignedClient, method, path):
    answer = root_api.request(method, path)
    assert answer.status_code >= 400
    error = answer.json()["error"]
    assert error["request_id"] == answer["x-amzn-RequestId"], error


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), URL_LEVEL_ERRORS)
def test_unsigned_api_errors_carry_the_request_id_too(client, method, path):
    answer = client.generic(method, path)
    assert answer.json()["error"]["request_id"] == answer["x-amzn-RequestId"]


class SilentServer:
    """Accepts connections and never answers: a broker that hangs rather than refuses."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.held.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for held in self.held:
            held.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("broker", ["refusing", "silent"])
def test_a_credential_report_asked_for_while_the_job_queue_is_down_is_answered_within_a_second(
        root_api, monkeypatch, broker):
    assert root_api.get("/api/v1/credential-report").status_code == 410  # warm: nothing yet, nothing cold
    silent = SilentServer() if broker == "silent" else None
    port = silent.port if silent else closed_port()
    # broker_write_url first: read after broker_url has moved, it would save the dead URL for undo() to restore.
    monkeypatch.setattr(celery_app.conf, "broker_write_url", None)
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{port}/0")
    try:
        started = time.monotonic()
        answer = root_api.post("/api/v1/credential-report")
        elapsed = time.monotonic() - started
    finally:
        if silent:
            silent.close()
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "ServiceUnavailable")
    assert answer["Retry-After"].isdigit()
    assert elapsed < 1.0
    # The request is kept: the report is being generated once the queue is back.
    monkeypatch.undo()
    assert root_api.get("/api/v1/credential-report").json()["error"]["code"] == "ReportInProgress"


def test_an_api_answer_of_its_own_is_left_as_it_is_even_with_an_error_status():
    """The health check's 503 carries its figures (database, redis), not an error body: it is not rewritten."""
    figures = JsonResponse({"status": "degraded", "database": "unavailable", "redis": "ok"}, status=503)
    assert as_api_error(figures, "an-id") is figures
    html = HttpResponse("<p>no</p>", status=405, headers={"Allow": "GET"})
    rewritten = as_api_error(html, "an-id")
    assert json.loads(rewritten.content)["error"] == {
        "code": "InvalidAction", "message": "This route does not take that method (allowed: GET).",
        "request_id": "an-id"}
    assert rewritten["Allow"] == "GET"
