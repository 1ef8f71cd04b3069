"""SigV4 verification against requests signed by botocore, the signer every AWS SDK uses."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from sts import sigv4

KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _signed(method="GET", url="https://iam.example.test/api/v1/users/?limit=100&b=2", body=b"", secret=SECRET,
            service="iam", region="us-east-1"):
    request = AWSRequest(method=method, url=url, data=body)
    SigV4Auth(Credentials(KEY, secret), service, region).add_auth(request)
    path, _, query = url.split("iam.example.test", 1)[1].partition("?")
    headers = {name.lower(): value for name, value in request.headers.items()}
    headers["host"] = "iam.example.test"
    return sigv4.SignedRequest(method=method, raw_path=path, query_string=query, headers=headers,
                               body_sha256=hashlib.sha256(body).hexdigest())


def _parse(request, now=None):
    now = now or datetime.now(UTC)
    return sigv4.parse_authorization(request, now=now, max_skew=timedelta(minutes=15), services=frozenset({"iam"}))


def test_botocore_signature_verifies():
    request = _signed()
    credential = _parse(request)
    assert credential.access_key_id == KEY and credential.region == "us-east-1" and credential.service == "iam"
    assert sigv4.signature_matches(request, credential, SECRET)


def test_signature_with_body_verifies_and_a_changed_body_does_not():
    request = _signed(method="POST", body=b'{"user_name": "alice"}')
    credential = _parse(request)
    assert sigv4.signature_matches(request, credential, SECRET)
    tampered = sigv4.SignedRequest(request.method, request.raw_path, request.query_string, request.headers,
                                   hashlib.sha256(b'{"user_name": "mallory"}').hexdigest())
    assert not sigv4.signature_matches(tampered, credential, SECRET)


def test_wrong_secret_does_not_verify():
    request = _signed(secret="not-the-secret")
    assert not sigv4.signature_matches(request, _parse(request), SECRET)


def test_changed_query_does_not_verify():
    request = _signed()
    changed = sigv4.SignedRequest(request.method, request.raw_path, "limit=1000&b=2", request.headers,
                                  request.body_sha256)
    assert not sigv4.signature_matches(changed, _parse(request), SECRET)


def test_path_with_reserved_characters_verifies():
    request = _signed(url="https://iam.example.test/api/v1/users/a%40b.c/")
    assert sigv4.signature_matches(request, _parse(request), SECRET)


def test_any_region_is_accepted():
    request = _signed(region="eu-west-3")
    assert sigv4.signature_matches(request, _parse(request), SECRET)


def test_other_service_scope_is_refused():
    with pytest.raises(sigv4.SignatureError, match="valid service"):
        _parse(_signed(service="s3"))


def test_clock_skew_over_fifteen_minutes_is_refused():
    request = _signed()
    with pytest.raises(sigv4.SignatureError, match="Signature expired"):
        _parse(request, now=datetime.now(UTC) + timedelta(minutes=16))
    _parse(request, now=datetime.now(UTC) + timedelta(minutes=14))


@pytest.mark.parametrize("header", [
    "AWS4-HMAC-SHA256 Credential=AKIA/20250101/us-east-1/iam/aws4_request",
    "AWS4-HMAC-SHA256 Credential=AKIA/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=" + "0" * 64,
    "Basic YWxpY2U6c2VjcmV0",
])
def test_malformed_authorization_is_an_incomplete_signature(header):
    request = _signed()
    broken = sigv4.SignedRequest(request.method, request.raw_path, request.query_string,
                                 {**request.headers, "authorization": header}, request.body_sha256)
    with pytest.raises(sigv4.SignatureError) as error:
        _parse(broken)
    assert error.value.code == "IncompleteSignature"


def test_unsigned_payload_is_not_accepted():
    request = _signed(method="POST", body=b"{}")
    unsigned = sigv4.SignedRequest(request.method, request.raw_path, request.query_string,
                                   {**request.headers, "x-amz-content-sha256": "UNSIGNED-PAYLOAD"},
                                   request.body_sha256)
    assert not sigv4.signature_matches(unsigned, _parse(request), SECRET)


def test_query_with_unencoded_reserved_characters_verifies_as_botocore_signs_it():
    request = _signed(url="https://iam.example.test/api/v1/users/?path_prefix=/eng/&limit=5")
    assert sigv4.signature_matches(request, _parse(request), SECRET)
