"""How callers authenticate: SigV4 from botocore and curl, its refusals, last-used recording, session CSRF."""

from __future__ import annotations

import json
import subprocess
import time
from datetime import UTC, datetime, timedelta

import botocore.auth
import pytest
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext

from directory.models import AccessKey
from sts.console_sessions import LAST_SEEN, SIGNED_IN_AT
from tests.conftest import SELF_SERVICE
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_anonymous_request_is_403_missing_authentication_token(client):
    response = client.get("/api/v1/users/")
    assert error(response) == (403, "MissingAuthenticationToken")
    assert "WWW-Authenticate" not in response  # a 403, as AWS answers, carries no challenge


def test_wrong_secret_and_unknown_key_are_refused_as_aws_refuses_them(root_credentials):
    wrong_secret = SignedClient(root_credentials.access_key_id, "x" * 40).get("/api/v1/users/")
    unknown_key = SignedClient("AKIAUNKNOWNKEY000000", root_credentials.secret_access_key).get("/api/v1/users/")
    assert error(wrong_secret) == (403, "SignatureDoesNotMatch")
    assert error(unknown_key) == (403, "InvalidClientTokenId")
    assert unknown_key.json()["error"]["message"] == "The security token included in the request is invalid."


def test_tampered_body_is_refused(root_api):
    headers = root_api.signed_headers("POST", "/api/v1/users/", b'{"user_name": "a"}', "application/json")
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k.lower() != "content-type"}
    extra["HTTP_HOST"] = "testserver"
    response = root_api.client.post("/api/v1/users/", data=b'{"user_name": "b"}', content_type="application/json",
                                    **extra)
    assert error(response) == (403, "SignatureDoesNotMatch")


def test_inactive_key_is_refused_with_403(root_api, user_api):
    user, api = user_api("quinn")
    root_api.patch(f"/api/v1/users/quinn/access-keys/{user.test_access_key[0]}/", {"status": "Inactive"})
    assert error(api.get("/api/v1/me/")) == (403, "InvalidClientTokenId")


def test_request_signed_16_minutes_ago_is_refused(root_api, monkeypatch):
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=16)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)
    response = root_api.get("/api/v1/me/")
    assert error(response) == (403, "RequestExpired")
    assert "Signature expired" in response.json()["error"]["message"]


def test_request_signed_14_minutes_ago_is_accepted(root_api, monkeypatch):
    past = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=14)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: past)
    assert root_api.get("/api/v1/me/").status_code == 200


def test_last_use_is_recorded_at_most_once_per_interval(user_api):
    user, api = user_api("rae", policies=SELF_SERVICE)
    key_id = user.test_access_key[0]
    with CaptureQueriesContext(connection) as first:
        assert api.get("/api/v1/me/").status_code == 200
    assert sum(q["sql"].startswith("UPDATE") for q in first.captured_queries) == 1
    key = AccessKey.objects.get(access_key_id=key_id)
    assert (key.last_used_service, key.last_used_region) == ("iam", "us-east-1")
    with CaptureQueriesContext(connection) as second:
        assert api.get("/api/v1/me/").status_code == 200
    # The second request within the interval writes nothing (and may read less: its policy set is cached).
    assert not any(q["sql"].startswith("UPDATE") for q in second.captured_queries)
    assert len(second) < len(first)
    assert AccessKey.objects.get(access_key_id=key_id).last_used_date == key.last_used_date


@pytest.mark.django_db(transaction=True)
def test_curl_aws_sigv4_is_accepted_by_a_live_server(live_server, root_credentials):
    auth = ["--aws-sigv4", "aws:amz:us-east-1:iam", "--user",
            f"{root_credentials.access_key_id}:{root_credentials.secret_access_key}"]
    created = subprocess.run(
        ["curl", "-sS", *auth, "-H", "Content-Type: application/json", "-d", '{"user_name": "curly"}',
         f"{live_server.url}/api/v1/users/"], capture_output=True, text=True, timeout=30, check=True)
    assert json.loads(created.stdout)["user"]["user_name"] == "curly"
    listed = subprocess.run(["curl", "-sS", *auth, f"{live_server.url}/api/v1/users/?path_prefix=%2F"],
                            capture_output=True, text=True, timeout=30, check=True)
    assert [u["user_name"] for u in json.loads(listed.stdout)["users"]] == ["curly"]
    bad = subprocess.run(["curl", "-sS", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:iam", "--user",
                          f"{root_credentials.access_key_id}:{'y' * 40}", f"{live_server.url}/api/v1/users/"],
                         capture_output=True, text=True, timeout=30, check=True)
    body, status = bad.stdout.rsplit("\n", 1)
    assert status == "403" and json.loads(body)["error"]["code"] == "SignatureDoesNotMatch"


def console_session(client: Client, user) -> None:
    """A signed-in console session, as the sign-in page leaves it (both timeout clocks started)."""
    client.force_login(user)
    session = client.session
    session[SIGNED_IN_AT] = session[LAST_SEEN] = int(time.time())
    session.save()


def test_session_without_sign_in_clocks_is_not_a_session(root):
    client = Client()
    client.force_login(root)  # no sign-in time: not a session the sign-in page made
    assert error(client.get("/api/v1/me/")) == (403, "MissingAuthenticationToken")


def test_session_post_without_csrf_token_is_refused(root):
    client = Client(enforce_csrf_checks=True)
    console_session(client, root)
    response = client.post("/api/v1/users/", {"user_name": "csrf"}, content_type="application/json")
    assert error(response) == (403, "AccessDenied")
    assert "CSRF" in response.json()["error"]["message"]


def test_session_post_with_csrf_token_is_accepted(root):
    client = Client(enforce_csrf_checks=True)
    console_session(client, root)
    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    response = client.post("/api/v1/users/", {"user_name": "csrf"}, content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201
    assert client.get("/api/v1/me/").json()["user"]["is_root"] is True


def test_unknown_api_route_is_a_json_404_after_authentication(root_api, client):
    assert error(client.get("/api/v1/nothing-here/")) == (403, "MissingAuthenticationToken")
    response = root_api.get("/api/v1/nothing-here/")
    assert error(response) == (404, "InvalidAction")
    assert response["Content-Type"] == "application/json"
    assert root_api.get("/api/v1/users").status_code == 200  # every route takes either spelling


def test_wrong_method_is_405(root_api):
    assert error(root_api.put("/api/v1/users/", {})) == (405, "InvalidAction")
