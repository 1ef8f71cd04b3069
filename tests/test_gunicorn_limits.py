"""gunicorn as production runs it (its config file): a long URL is answered by the door it was meant for, in that
door's shape (JSON under /api/, XML on the Query API), whether the application or gunicorn itself refuses it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.support.database import database_url
from tests.test_run_command import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.processes


@pytest.fixture(scope="module", params=[1, 2], ids=["sync-worker", "threaded-worker"])
def web(request, django_db_setup, tmp_path_factory):
    """gunicorn on the test database (unsigned requests, which these are, never reach it)."""
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    port = free_port()
    env = {**os.environ, "DEBUG": "true", "IAM_TESTING": "true", "DATABASE_URL": database_url(),
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": str(request.param)}
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "iam_console.wsgi:application", "--config",
                                str(ROOT / "iam_console" / "gunicorn.conf.py")], cwd=ROOT, env=env, stdout=log,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if send(port, "GET", "/api/v1/health/")[0] in (200, 503):
                break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                log.close()
                pytest.fail("gunicorn did not start:\n" + (tmp_path / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
    yield port
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def send(port: int, method: str, target: str) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("length", [5_000, 20_000, 100_000])
def test_a_long_api_url_is_answered_with_the_apis_json_error(web, length):
    status, headers, body = send(web, "GET", "/api/v1/users/" + "n" * length + "/")
    assert status >= 400 and headers["content-type"].startswith("application/json"), body[:200]
    error = json.loads(body)["error"]
    assert error["code"] and error["message"] and error["request_id"]
    if length > 8190:
        assert (status, error["code"]) == (414, "RequestURITooLong")


@pytest.mark.parametrize("length", [5_000, 20_000, 100_000])
def test_a_long_query_api_url_is_answered_with_the_query_apis_xml_error(web, length):
    status, headers, body = send(web, "GET", "/?Action=ListUsers&Version=2010-05-08&Marker=" + "m" * length)
    assert status >= 400 and headers["content-type"].startswith("text/xml"), body[:200]
    root = ElementTree.fromstring(body)
    namespace = {"aws": root.tag.split("}")[0].strip("{")}
    assert root.findtext("aws:Error/aws:Code", namespaces=namespace)
    assert root.findtext("aws:RequestId", namespaces=namespace)
    if length > 8190:
        assert (status, root.findtext("aws:Error/aws:Code", namespaces=namespace)) == (414, "RequestURITooLong")
