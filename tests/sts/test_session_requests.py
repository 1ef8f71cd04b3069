"""Requests signed with session credentials: authentication, authorization, expiry, revocation, the purge job."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from directory.services import role_policies
from policies.authorization import Caller
from sts import services as sts
from sts import tasks
from sts.models import RoleSession
from tests.sts.conftest import ADMIN, READ_ONLY, deny, document, role_arn, session_client, trust, user_arn

USER_ARN_ALICE = user_arn("alice")


@pytest.fixture
def alice_session(make_user, make_role):
    """alice, a ReadOnly role that trusts her, and a session of it."""

    def make(**kwargs) -> sts.AssumedRole:
        alice = make_user("alice", access_key=True)
        make_role("Reader", trust(USER_ARN_ALICE), policies=(READ_ONLY,))
        return sts.assume_role(caller=Caller(principal=alice), role_arn=role_arn("Reader"),
                               role_session_name="alice-reads", **kwargs)

    return make


def _expire(assumed: sts.AssumedRole) -> None:
    RoleSession.all_objects.filter(pk=assumed.session.pk).update(expiration=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db
def test_botocore_signed_session_request_is_authenticated_as_the_role_session(alice_session):
    assumed = alice_session()
    response = session_client(assumed).get("/api/v1/sts/caller-identity")
    assert response.status_code == 200, response.content
    assert response.json() == {"user_id": assumed.assumed_role_id, "account": "123456789012",
                               "arn": "arn:aws:sts::123456789012:assumed-role/Reader/alice-reads"}


@pytest.mark.django_db
def test_session_request_is_authorized_with_the_roles_permissions(alice_session):
    client = session_client(alice_session())
    assert client.get("/api/v1/users/").status_code == 200
    denied = client.post("/api/v1/users/", {"user_name": "mallory"})
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "AccessDenied"
    assert "assumed-role/Reader/alice-reads" in denied.json()["error"]["message"]


@pytest.mark.django_db
def test_session_policy_caps_what_a_session_signed_request_may_do(alice_session):
    client = session_client(alice_session(policy=document({"Effect": "Allow", "Action": "iam:ListRoles",
                                                           "Resource": "*"})))
    assert client.get("/api/v1/roles/").status_code == 200
    assert client.get("/api/v1/users/").status_code == 403


@pytest.mark.django_db
def test_expired_session_is_refused_with_403_expired_token(alice_session):
    assumed = alice_session()
    _expire(assumed)
    response = session_client(assumed).get("/api/v1/sts/caller-identity")
    assert response.status_code == 403
    assert response.json()["error"] | {"request_id": ""} == {
        "code": "ExpiredToken", "message": "The security token included in the request is expired", "request_id": ""}


@pytest.mark.django_db
def test_wrong_or_missing_session_token_is_refused(alice_session):
    assumed = alice_session()
    forged = session_client(assumed)
    forged.session_token = assumed.session_token[:-4] + "AAAA"
    response = forged.get("/api/v1/sts/caller-identity")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "InvalidClientTokenId")
    forged.session_token = None
    assert forged.get("/api/v1/sts/caller-identity").status_code == 403


@pytest.mark.django_db
def test_wrong_session_secret_is_a_signature_mismatch(alice_session):
    assumed = alice_session()
    client = session_client(assumed)
    client.secret_access_key = "x" * 40
    response = client.get("/api/v1/sts/caller-identity")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "SignatureDoesNotMatch")


@pytest.mark.django_db
def test_assume_role_over_the_rest_api_returns_credentials_once(make_user, make_role):
    from tests.support.signing import SignedClient

    alice = make_user("alice", access_key=True)
    make_role("Reader", trust(USER_ARN_ALICE), policies=(READ_ONLY,), max_session_duration=7200)
    client = SignedClient(*alice.test_access_key)
    response = client.post("/api/v1/sts/assume-role", {"role_arn": role_arn("Reader"), "role_session_name": "cli",
                                                       "duration_seconds": 7200})
    assert response.status_code == 200, response.content
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert set(body) == {"credentials", "assumed_role_user", "packed_policy_size"}
    credentials = body["credentials"]
    assert set(credentials) == {"access_key_id", "secret_access_key", "session_token", "expiration"}
    assert credentials["access_key_id"].startswith("ASIA")
    assert body["assumed_role_user"]["arn"] == "arn:aws:sts::123456789012:assumed-role/Reader/cli"
    session = SignedClient(credentials["access_key_id"], credentials["secret_access_key"],
                           credentials["session_token"])
    assert session.get("/api/v1/roles/").status_code == 200
    denied = client.post("/api/v1/sts/assume-role", {"role_arn": role_arn("Nope"), "role_session_name": "cli"})
    assert (denied.status_code, denied.json()["error"]["code"]) == (403, "AccessDenied")


@pytest.mark.django_db
def test_revoke_role_sessions_refuses_earlier_sessions_and_not_later_ones(alice_session, root_api, make_user):
    before = alice_session()
    response = root_api.post("/api/v1/roles/Reader/revoke-sessions")
    assert response.status_code == 200 and response.json()["sessions"] == 1
    refused = session_client(before).get("/api/v1/sts/caller-identity")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ExpiredToken"
    assert refused.json()["error"]["message"].startswith("The security token included in the request is expired")
    alice = before.session.source_user
    after = sts.assume_role(caller=Caller(principal=alice), role_arn=role_arn("Reader"), role_session_name="again")
    assert session_client(after).get("/api/v1/sts/caller-identity").status_code == 200


@pytest.mark.django_db
def test_revoke_user_sessions_ends_the_sessions_a_user_started(alice_session, root_api):
    assumed = alice_session()
    assert root_api.post("/api/v1/users/alice/revoke-sessions").json()["sessions"] == 1
    assert session_client(assumed).get("/api/v1/sts/caller-identity").status_code == 403


@pytest.mark.django_db
def test_aws_style_deny_on_token_issue_time_revokes_older_sessions(alice_session, root_caller):
    assumed = alice_session()
    cutoff = (timezone.now() + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    role_policies.put_role_policy(caller=root_caller, role_name="Reader", policy_name="AWSRevokeOlderSessions",
                                  policy_document=document(deny("*", Condition={
                                      "DateLessThan": {"aws:TokenIssueTime": cutoff}})))
    response = session_client(assumed).get("/api/v1/users/")
    assert response.status_code == 403


@pytest.mark.django_db
def test_session_cannot_act_beyond_an_administrator_roles_boundary(make_user, make_role):
    alice = make_user("alice")
    make_role("Admin", trust(USER_ARN_ALICE), policies=(ADMIN,), permissions_boundary=READ_ONLY)
    assumed = sts.assume_role(caller=Caller(principal=alice), role_arn=role_arn("Admin"), role_session_name="s1")
    client = session_client(assumed)
    assert client.get("/api/v1/users/").status_code == 200
    assert client.post("/api/v1/users/", {"user_name": "x"}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_no_request_is_authorized_after_a_revocation_commits(alice_session, root_caller):
    assumed = alice_session()
    results: list[tuple[float, int]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def hammer() -> None:
        client = session_client(assumed)
        try:
            while not stop.is_set():
                started = time.monotonic()
                status = client.get("/api/v1/roles/").status_code
                with lock:
                    results.append((started, status))
        finally:
            connection.close()

    def wait_for(condition, seconds: float = 30.0) -> None:
        # On a loaded machine the threads' first requests can take a while: wait for what the test needs.
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with lock:
                if condition():
                    return
            time.sleep(0.02)

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    wait_for(lambda: any(status == 200 for _, status in results))
    sts.revoke_role_sessions(caller=root_caller, role_name="Reader")
    committed = time.monotonic()
    wait_for(lambda: sum(started > committed for started, _ in results) >= 12)
    stop.set()
    for thread in threads:
        thread.join()
    after = [status for started, status in results if started > committed]
    before = [status for started, status in results if started <= committed]
    assert 200 in before, "requests ran before the revocation"
    assert after and set(after) == {403}
    # A request that authenticated just before the commit and decided after it is refused (403) by the decision's
    # own liveness check, never allowed.
    assert set(before) <= {200, 401, 403}


@pytest.mark.django_db
def test_purge_deletes_only_expired_sessions_and_reads_never_delete(alice_session, make_role):
    live = alice_session()
    expired = sts.assume_role(caller=Caller(principal=live.session.source_user), role_arn=role_arn("Reader"),
                              role_session_name="old")
    _expire(expired)
    assert list(RoleSession.objects.values_list("session_name", flat=True)) == ["alice-reads"]
    assert RoleSession.all_objects.count() == 2  # the read hid the expired row, it did not delete it
    assert tasks.purge_expired_sessions() == 1
    assert list(RoleSession.all_objects.values_list("session_name", flat=True)) == ["alice-reads"]


def test_purge_is_scheduled():
    from iam_console.schedule import CELERY_BEAT_SCHEDULE

    entry = CELERY_BEAT_SCHEDULE["purge-expired-role-sessions"]
    assert entry["task"] == "sts.tasks.purge_expired_sessions"
    assert entry["options"]["expires"] < entry["schedule"].total_seconds()
