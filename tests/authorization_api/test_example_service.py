"""End to end: the example document service, using the client package, over HTTP against a live directory."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
import urllib3
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from directory.services import access_keys, role_policies, roles
from iam_console.callers import Caller
from sts import services as sts
from tests.authorization_api.conftest import CLIENT_SRC, policy

pytestmark = pytest.mark.django_db(transaction=True)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def docs_app(live_server, docs_service, service_identity):
    """The example service on a port of its own, asking the live directory through the client package."""
    from iam_directory_client import DirectoryClient

    from examples.docs_service.app import make_app

    service_user, _ = service_identity
    client = DirectoryClient(live_server.url, *service_user.test_access_key)
    server = make_server("127.0.0.1", 0, make_app(client), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def call(base, method, path, credentials, body=b"", presign=False):
    """A request to the service signed exactly as an AWS SDK signs one for the signing name `docs`."""
    request = AWSRequest(method=method, url=f"{base}{path}", data=body)
    if presign:
        SigV4QueryAuth(credentials, "docs", "us-east-1", expires=60).add_auth(request)
    else:
        SigV4Auth(credentials, "docs", "us-east-1").add_auth(request)
    prepared = request.prepare()
    return urllib3.request(method, prepared.url, body=body or None, headers=dict(prepared.headers), retries=False)


def test_users_reach_their_own_documents_and_nobody_elses(docs_app, document_user, root_caller):
    alice = Credentials(*document_user("alice").test_access_key)
    bob = Credentials(*document_user("bob").test_access_key)
    created = call(docs_app, "PUT", "/documents/alice/plan.txt", alice, b"alice's plan")
    assert created.status == 201, created.data
    read = call(docs_app, "GET", "/documents/alice/plan.txt", alice)
    assert read.status == 200 and read.data == b"alice's plan"
    assert read.headers["X-Read-By"] == "arn:aws:iam::123456789012:user/alice"
    assert read.headers["Server-Timing"].startswith("iam;dur=")  # the middleware reports its own latency
    refused = call(docs_app, "GET", "/documents/alice/plan.txt", bob)
    assert refused.status == 403
    assert b"<Code>AccessDenied</Code>" in refused.data and b"docs:GetDocument" in refused.data
    assert call(docs_app, "GET", "/documents/alice/plan.txt", alice, presign=True).status == 200
    unsigned = urllib3.request("GET", f"{docs_app}/documents/alice/plan.txt", retries=False)
    assert unsigned.status == 403 and b"MissingAuthenticationToken" in unsigned.data


def test_a_deactivated_key_stops_working_on_the_next_request(docs_app, document_user, root_caller):
    alice = document_user("alice")
    credentials = Credentials(*alice.test_access_key)
    assert call(docs_app, "GET", "/documents/alice/", credentials).status == 200
    access_keys.update_access_key(caller=root_caller, user_name="alice", access_key_id=alice.test_access_key[0],
                                  status="Inactive")
    refused = call(docs_app, "GET", "/documents/alice/", credentials)
    assert refused.status == 403 and b"InvalidClientTokenId" in refused.data


def test_a_revoked_role_session_stops_working_on_the_next_request(docs_app, document_user, root_caller):
    alice = document_user("alice")
    roles.create_role(caller=root_caller, role_name="Archivist", assume_role_policy_document=policy(
        {"Effect": "Allow", "Principal": {"AWS": alice.arn}, "Action": "sts:AssumeRole"}))
    role_policies.put_role_policy(caller=root_caller, role_name="Archivist", policy_name="all", policy_document=policy(
        {"Effect": "Allow", "Action": "docs:*", "Resource": "arn:aws:docs:::document/*"}))
    assumed = sts.assume_role(caller=Caller(principal=alice), role_arn="arn:aws:iam::123456789012:role/Archivist",
                              role_session_name="night-shift")
    credentials = Credentials(assumed.access_key_id, assumed.secret_access_key, assumed.session_token)
    listing = call(docs_app, "GET", "/documents/bob/", credentials)
    assert listing.status == 200, listing.data
    assert json.loads(listing.data)["caller"] == "arn:aws:sts::123456789012:assumed-role/Archivist/night-shift"
    sts.revoke_role_sessions(caller=root_caller, role_name="Archivist")
    refused = call(docs_app, "GET", "/documents/bob/", credentials)
    assert refused.status == 403 and b"ExpiredToken" in refused.data


def test_the_client_package_installs_on_its_own(tmp_path):
    """Its own pyproject builds a wheel whose only dependency is botocore."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                            "-w", str(tmp_path), str(Path(CLIENT_SRC).parent)], capture_output=True, text=True,
                           timeout=120)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("iam_directory_client-*.whl")
    import zipfile

    metadata = next(name for name in zipfile.ZipFile(wheel).namelist() if name.endswith("METADATA"))
    requires = [line for line in zipfile.ZipFile(wheel).read(metadata).decode().splitlines()
                if line.startswith("Requires-Dist")]
    assert requires == ["Requires-Dist: botocore>=1.34"]
