"""Verifying signatures other services received: keys, sessions, presigned URLs, and AWS's refusals."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from audit.models import AuditEvent
from directory.services import access_keys, roles
from sts import services as sts
from tests.authorization_api.conftest import policy

DOCS_URL = "http://docs.internal:8081/documents/alice/report.txt"


def signed_material(key_id, secret, *, token=None, method="GET", url=DOCS_URL, body=b"", service="docs",
                    presign_expires=None):
    request = AWSRequest(method=method, url=url, data=body)
    credentials = Credentials(key_id, secret, token)
    if presign_expires is None:
        SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    else:
        SigV4QueryAuth(credentials, service, "us-east-1", expires=presign_expires).add_auth(request)
    parts = urlsplit(request.url)
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = parts.netloc
    return {"method": method, "path": parts.path, "query": parts.query, "headers": headers,
            "payload_sha256": hashlib.sha256(body).hexdigest()}


def verify(service_client, material, *, service="docs", **authorize):
    body = {"service": service, "request": material}
    if authorize:
        body["authorize"] = authorize
    response = service_client.post("/api/v1/authorization/verify", body)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_users_signature_is_verified_and_decided_in_one_call(docs_service, service_identity, document_user,
                                                               django_assert_max_num_queries):
    _, service = service_identity
    alice = document_user("alice")
    material = signed_material(*alice.test_access_key)
    verify(service, signed_material(*alice.test_access_key))  # first use: records the keys' last use
    # the service's key and policies, the caller's key and policies, the audit event, tags and groups
    with django_assert_max_num_queries(7):
        body = verify(service, material, action="docs:GetDocument",
                      resource="arn:aws:docs:::document/alice/report.txt")
    assert body["verified"] is True
    assert body["principal"]["arn"] == alice.arn and body["access_key_id"] == alice.test_access_key[0]
    assert body["decision"]["decision"] == "allowed"
    assert "secret" not in str(body).lower()


def test_the_key_records_its_last_use_by_the_service(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    verify(service, signed_material(*alice.test_access_key))
    key = alice.access_keys.get()
    assert (key.last_used_service, key.last_used_region) == ("docs", "us-east-1")


def test_a_wrong_secret_is_refused_as_aws_refuses_it(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    body = verify(service, signed_material(alice.test_access_key[0], "x" * 40))
    assert body == {"verified": False, "error": {"code": "SignatureDoesNotMatch", "message": body["error"]["message"]}}
    unknown = verify(service, signed_material("AKIAUNKNOWNUNKNOWN00", "x" * 40))
    # As AWS answers: a key id that does not exist is an invalid token, not a bad signature.
    assert unknown["error"] == {"code": "InvalidClientTokenId",
                                "message": "The security token included in the request is invalid."}


def test_a_tampered_request_does_not_verify(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    material = signed_material(*alice.test_access_key)
    material["path"] = "/documents/bob/salary.txt"
    assert verify(service, material)["error"]["code"] == "SignatureDoesNotMatch"
    body_swap = signed_material(*alice.test_access_key, method="PUT", body=b"mine")
    body_swap["payload_sha256"] = hashlib.sha256(b"someone else's").hexdigest()
    assert verify(service, body_swap)["verified"] is False


def test_a_signed_header_missing_from_the_material_is_a_refusal_not_an_error(docs_service, service_identity,
                                                                             document_user):
    _, service = service_identity
    alice = document_user("alice")
    material = signed_material(*alice.test_access_key)
    del material["headers"]["host"]
    assert verify(service, material)["error"]["code"] == "SignatureDoesNotMatch"


def test_a_signature_for_another_service_is_refused(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    body = verify(service, signed_material(*alice.test_access_key, service="iam"))
    assert body["error"]["code"] == "SignatureDoesNotMatch" and "docs" in body["error"]["message"]


def test_a_deactivated_key_is_refused_on_the_next_request(docs_service, service_identity, document_user,
                                                         root_caller):
    _, service = service_identity
    alice = document_user("alice")
    assert verify(service, signed_material(*alice.test_access_key))["verified"] is True
    access_keys.update_access_key(caller=root_caller, user_name="alice", access_key_id=alice.test_access_key[0],
                                  status="Inactive")
    body = verify(service, signed_material(*alice.test_access_key))
    assert body["error"]["code"] == "InvalidClientTokenId"


def test_role_sessions_verify_until_revoked(docs_service, service_identity, document_user, root_caller):
    _, service = service_identity
    alice = document_user("alice")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": alice.arn}, "Action": "sts:AssumeRole"})
    roles.create_role(caller=root_caller, role_name="Reader", assume_role_policy_document=trust)
    from directory.services import role_policies
    from iam_console.callers import Caller

    role_policies.put_role_policy(caller=root_caller, role_name="Reader", policy_name="read",
                                  policy_document=policy({"Effect": "Allow", "Action": "docs:GetDocument",
                                                          "Resource": "*"}))
    assumed = sts.assume_role(caller=Caller(principal=alice), role_arn="arn:aws:iam::123456789012:role/Reader",
                              role_session_name="reading")
    material = signed_material(assumed.access_key_id, assumed.secret_access_key, token=assumed.session_token)
    body = verify(service, material, action="docs:GetDocument", resource="arn:aws:docs:::document/bob/x")
    assert body["principal"]["type"] == "assumed-role"
    assert body["principal"]["arn"] == "arn:aws:sts::123456789012:assumed-role/Reader/reading"
    assert body["principal"]["role_session_name"] == "reading"
    assert body["decision"]["decision"] == "allowed"
    without_token = signed_material(assumed.access_key_id, assumed.secret_access_key)
    assert verify(service, without_token)["error"]["code"] == "InvalidClientTokenId"
    sts.revoke_role_sessions(caller=root_caller, role_name="Reader")
    assert verify(service, signed_material(assumed.access_key_id, assumed.secret_access_key,
                                           token=assumed.session_token))["error"]["code"] == "ExpiredToken"


def test_presigned_urls_verify_until_they_expire(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    good = signed_material(*alice.test_access_key, presign_expires=300)
    assert "authorization" not in good["headers"] and "X-Amz-Signature=" in good["query"]
    assert verify(service, good)["verified"] is True
    expired = signed_material(*alice.test_access_key, presign_expires=300)
    expired["query"] = expired["query"].replace("X-Amz-Expires=300", "X-Amz-Expires=0")
    assert verify(service, expired)["error"]["code"] in {"IncompleteSignature", "SignatureDoesNotMatch"}


def test_an_old_presigned_url_is_refused_as_expired(docs_service, service_identity, document_user, monkeypatch):
    import datetime as real_datetime

    _, service = service_identity
    alice = document_user("alice")
    old = real_datetime.datetime.now(real_datetime.UTC) - real_datetime.timedelta(minutes=20)

    class OldClock(real_datetime.datetime):
        @classmethod
        def utcnow(cls):
            return old.replace(tzinfo=None)

        @classmethod
        def now(cls, tz=None):
            return old if tz else old.replace(tzinfo=None)

    monkeypatch.setattr("botocore.auth.datetime.datetime", OldClock)
    stale = signed_material(*alice.test_access_key, presign_expires=60)
    monkeypatch.undo()
    assert verify(service, stale)["error"]["code"] == "RequestExpired"


@pytest.mark.parametrize("material", [
    None, "GET /", {"method": "GET"}, {"headers": "authorization"},
    {"method": "GET", "path": "/", "query": "", "headers": {"authorization": "AWS4-HMAC-SHA256 nonsense"}},
])
def test_malformed_material_answers_4xx_or_a_refusal(docs_service, service_identity, material):
    _, service = service_identity
    response = service.post("/api/v1/authorization/verify", {"service": "docs", "request": material})
    assert response.status_code in {200, 400}, response.content
    if response.status_code == 200:
        assert response.json()["verified"] is False


def test_failed_verifications_are_audited_without_secrets(docs_service, service_identity, document_user):
    _, service = service_identity
    alice = document_user("alice")
    verify(service, signed_material(alice.test_access_key[0], "x" * 40))
    event = AuditEvent.objects.get(event_source="docs", event_name="VerifyRequestSignature")
    assert event.error_code == "SignatureDoesNotMatch"
    assert alice.test_access_key[1] not in str(event.request_parameters)


def test_a_rest_request_missing_a_header_it_signed_is_refused_not_an_error(user_api):
    """The REST door shares the verification: a signed header that never arrived is a 4xx, never a 500."""
    from django.test import Client

    user, _ = user_api("eve")
    request = AWSRequest(method="GET", url="http://testserver/api/v1/users/", headers={"X-Trace": "1"})
    SigV4Auth(Credentials(*user.test_access_key), "iam", "us-east-1").add_auth(request)
    headers = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in request.headers.items()
               if name.lower() != "x-trace"}
    response = Client().get("/api/v1/users/", HTTP_HOST="testserver", **headers)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == "SignatureDoesNotMatch"
