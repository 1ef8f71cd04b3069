"""Identity providers that drip, fail or publish hostile documents cannot stall or crash the directory: one overall
deadline per fetch, one fetch per document at a time, a cap on the requests waiting on identity providers, a
failing issuer remembered briefly, deep JSON refused, and addresses that embed a private IPv4 refused."""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client

from iam_console.errors import IDPCommunicationError
from sts.federation import oidc
from sts.federation.fetch import is_public_address
from sts.federation.web_identity import assume_role_with_web_identity

DEADLINE = 1  # IAM_FEDERATION_HTTP_TIMEOUT_SECONDS in these tests
MARGIN = 1.5  # the test machine is shared and slow: a refusal may come this much after the deadline


@pytest.fixture
def quick(issuer, settings):
    settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS = DEADLINE
    return issuer


def assume(anonymous, role, token):
    return assume_role_with_web_identity(caller=anonymous, role_arn=role.arn, role_session_name="build-42",
                                         web_identity_token=token)


def timed(call) -> tuple[float, object]:
    started = time.monotonic()
    try:
        outcome = call()
    except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
        outcome = error
    return time.monotonic() - started, outcome


@pytest.mark.django_db
def test_a_host_that_drips_its_headers_is_given_one_deadline_for_the_whole_fetch(anonymous, ci_role, quick):
    quick.drip_seconds, quick.drip_lines = 0.25, 40  # ten seconds of headers, each line well inside a read timeout
    elapsed, outcome = timed(lambda: assume(anonymous, ci_role, quick.token()))
    assert isinstance(outcome, IDPCommunicationError)
    assert elapsed < DEADLINE + MARGIN


@pytest.mark.django_db
def test_a_failing_issuer_is_remembered_briefly_and_not_fetched_again_meanwhile(anonymous, ci_role, quick,
                                                                                settings):
    settings.IAM_FEDERATION_FAILURE_CACHE_SECONDS = 2
    quick.raw_documents["discovery"] = b"not json"
    with pytest.raises(IDPCommunicationError):
        assume(anonymous, ci_role, quick.token())
    assert quick.discovery_fetches == 1
    quick.raw_documents.clear()  # the issuer recovers, but the directory does not ask again yet
    for _ in range(5):
        elapsed, outcome = timed(lambda: assume(anonymous, ci_role, quick.token()))
        assert isinstance(outcome, IDPCommunicationError) and "try again" in outcome.message
        assert elapsed < 0.5
    assert quick.discovery_fetches == 1
    time.sleep(2.1)
    assert assume(anonymous, ci_role, quick.token()).assumed.access_key_id
    assert quick.discovery_fetches == 2


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_the_same_keys_share_one_fetch(anonymous, ci_role, quick, settings):
    settings.IAM_FEDERATION_MAX_CONCURRENT_FETCHES = 8  # room for every request to wait on the one fetch
    quick.hang_seconds = 0.4  # a slow but healthy JWKS: the requests arrive while it is being fetched
    outcomes: list[object] = []
    start = threading.Barrier(6)

    def exchange() -> None:
        try:
            start.wait()
            outcomes.append(timed(lambda: assume(anonymous, ci_role, quick.token()))[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=exchange) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (quick.discovery_fetches, quick.jwks_fetches) == (1, 1)
    assert all(not isinstance(outcome, Exception) for outcome in outcomes), outcomes


@pytest.mark.django_db(transaction=True)
def test_requests_waiting_on_identity_providers_are_capped_and_the_others_refused_at_once(
        anonymous, ci_role, quick, settings):
    settings.IAM_FEDERATION_MAX_CONCURRENT_FETCHES = 1
    quick.drip_seconds, quick.drip_lines = 0.25, 60  # fifteen seconds of headers
    results: list[tuple[float, int, str]] = []
    start = threading.Barrier(12)

    def exchange() -> None:
        token = quick.token()
        start.wait()
        elapsed, answer = timed(lambda: Client().post(
            "/api/v1/sts/assume-role-with-web-identity", {
                "role_arn": ci_role.arn, "role_session_name": "build-7", "web_identity_token": token},
            content_type="application/json"))
        results.append((elapsed, answer.status_code, answer.json()["error"]["code"]))
        connection.close()

    threads = [threading.Thread(target=exchange) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [(status, code) for _, status, code in results] == [(400, "IDPCommunicationError")] * 12
    # One request reached the issuer; the others were refused without waiting on it (the cap, then the failure
    # remembered), and none waited out the issuer's fifteen seconds.
    assert (quick.most_in_flight, quick.discovery_fetches) == (1, 1)
    assert max(elapsed for elapsed, _, _ in results) < 7


@pytest.mark.django_db
@pytest.mark.parametrize("document", ["discovery", "jwks"])
def test_a_deeply_nested_document_is_an_idp_communication_error_not_a_crash(anonymous, ci_role, quick, document):
    quick.raw_documents[document] = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(IDPCommunicationError, match="nested"):
        assume(anonymous, ci_role, quick.token())
    oidc.forget_keys(quick.url)


@pytest.mark.django_db
def test_a_deeply_nested_jwks_answers_the_query_api_with_its_error(ci_role, quick):
    quick.raw_documents["jwks"] = b'{"keys": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = Client().post("/", urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                                           "RoleArn": ci_role.arn, "RoleSessionName": "build-7",
                                           "WebIdentityToken": quick.token()}),
                           content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 400 and b"<Code>IDPCommunicationError</Code>" in answer.content


@pytest.mark.parametrize("address", [
    "::7f00:1",  # IPv4-compatible ::127.0.0.1
    "::ffff:127.0.0.1", "::ffff:10.0.0.1",  # IPv4-mapped
    "64:ff9b::7f00:1", "64:ff9b::a00:1", "64:ff9b:1::a9fe:a9fe",  # NAT64, well-known and local-use prefixes
    "2002:7f00:1::1", "2002:a9fe:a9fe::1", "2002:c0a8:101::",  # 6to4 of 127.0.0.1, 169.254.169.254, 192.168.1.1
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1 (obfuscated)
    "2001:0:7f00:1:8000:63bf:3fff:fdd2",  # Teredo whose server is 127.0.0.1
    "::", "::1", "fe80::1", "fc00::1",
])
def test_addresses_that_embed_a_private_ipv4_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1",
                                     "::ffff:8.8.8.8"])
def test_public_addresses_and_their_embeddings_stay_public(address):
    assert is_public_address(address)
