"""A slow identity provider against the production shape (gunicorn, two workers of one thread each): a dozen
anonymous AssumeRoleWithWebIdentity calls to an issuer that drips its headers for fifteen seconds neither stall the
health check nor a signed ListUsers, and each is answered within its deadline."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.gunicorn import gunicorn, send
from tests.support.signing import SignedClient

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
DEADLINE = 2


def signed_list_users(port: int, key: tuple[str, str]) -> tuple[int, dict, bytes]:
    signer = SignedClient(*key, host=f"127.0.0.1:{port}")
    return send(port, "GET", "/api/v1/users/", headers={
        name: value for name, value in signer.signed_headers("GET", "/api/v1/users/").items()
        if name.lower() != "host"} | {"Host": f"127.0.0.1:{port}"})


def test_a_dozen_calls_to_a_dripping_issuer_leave_the_directory_answering(issuer, ci_role, root_credentials,
                                                                          tmp_path):
    issuer.drip_seconds, issuer.drip_lines = 0.25, 60
    env = {"IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS": "true", "IAM_FEDERATION_CA_BUNDLE": issuer.tls.ca_file,
           "IAM_FEDERATION_HTTP_TIMEOUT_SECONDS": str(DEADLINE)}
    key = (root_credentials.access_key_id, root_credentials.secret_access_key)
    with gunicorn(tmp_path, workers=2, threads=1, env=env) as port:
        body = json.dumps({"role_arn": ci_role.arn, "role_session_name": "build-7",
                           "web_identity_token": issuer.token()}).encode()
        start = threading.Barrier(13)

        def exchange() -> tuple[float, int, bytes]:
            start.wait()
            started = time.monotonic()
            status, _, answer = send(port, "POST", "/api/v1/sts/assume-role-with-web-identity", body,
                                     {"Content-Type": "application/json"})
            return time.monotonic() - started, status, answer

        with ThreadPoolExecutor(12) as pool:
            calls = [pool.submit(exchange) for _ in range(12)]
            start.wait()
            time.sleep(0.2)  # the calls are in
            started = time.monotonic()
            health = send(port, "GET", "/api/v1/health/")
            health_seconds = time.monotonic() - started
            started = time.monotonic()
            users = signed_list_users(port, key)
            users_seconds = time.monotonic() - started
            results = [call.result() for call in calls]
    print(f"[slow issuer] health {health_seconds:.2f}s, ListUsers {users_seconds:.2f}s, exchanges "
          f"{sorted(round(elapsed, 2) for elapsed, _, _ in results)}")
    assert health[0] == 200 and users[0] == 200
    assert health_seconds < 3 and users_seconds < 3  # the issue measured 23.6 s and 23.8 s
    assert all(status == 400 and json.loads(answer)["error"]["code"] == "IDPCommunicationError"
               for _, status, answer in results)
    assert max(elapsed for elapsed, _, _ in results) < DEADLINE + 4
    assert issuer.discovery_fetches == 1
