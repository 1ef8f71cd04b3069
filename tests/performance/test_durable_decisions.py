"""Every decision a service was told is on record, whatever happens to the web worker: a batch's thirty audit events
commit with the answer or not at all. A worker killed (SIGKILL) while batches are in flight leaves no half batch,
and every batch that was answered has all thirty events."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from audit.models import AuditEvent
from tests.support.database import database_url
from tests.support.gunicorn import ROOT, send
from tests.support.servers import Gunicorn
from tests.support.signing import SignedClient

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
DOCUMENT = "arn:aws:docs:::document/alice/report.txt"
BATCH = 30


def workers_of(master: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def test_a_worker_killed_mid_batch_loses_no_answered_decision(docs_service, service_identity, document_user,
                                                              tmp_path):
    _, service = service_identity
    alice = document_user("alice")
    env = {**os.environ, "DEBUG": "true", "IAM_TESTING": "true", "DATABASE_URL": database_url()}
    server = Gunicorn(sys.executable, env, tmp_path / "gunicorn.log", ROOT,
                      ROOT / "iam_console" / "gunicorn.conf.py").wait()
    body = json.dumps({"requests": [{"principal_arn": alice.arn, "action": "docs:GetDocument",
                                     "resource": DOCUMENT}] * BATCH}).encode()
    signer = SignedClient(service.access_key_id, service.secret_access_key, host=f"127.0.0.1:{server.port}")
    headers = {name: value for name, value in signer.signed_headers(
        "POST", "/api/v1/authorization/decide-batch", body, "application/json").items() if name.lower() != "host"}
    headers |= {"Host": f"127.0.0.1:{server.port}"}
    answered: list[str] = []
    failed = 0
    stop = threading.Event()

    def ask() -> None:
        nonlocal failed
        while not stop.is_set():
            try:
                status, response_headers, _ = send(server.port, "POST", "/api/v1/authorization/decide-batch", body,
                                                   headers, timeout=10)
                if status == 200:
                    answered.append(response_headers["x-amzn-requestid"])
            except OSError:
                failed += 1  # the connection the killed worker held: no answer, so no promise

    try:
        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        killed = workers_of(server.process.pid)
        assert killed, "gunicorn has no worker"
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        time.sleep(2.5)  # the master starts a new worker; the clients go on
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.stop()
    print(f"[durable] {len(answered)} batches answered, {failed} cut off by the kill")
    assert answered and failed, "the kill must land while batches are in flight"
    per_request: dict[str, int] = {}
    for request_id in AuditEvent.objects.filter(event_source="docs").values_list("request_id", flat=True):
        per_request[request_id] = per_request.get(request_id, 0) + 1
    assert all(per_request.get(request_id) == BATCH for request_id in answered)
    assert set(per_request.values()) == {BATCH}  # a batch cut off by the kill left nothing, never a part
