"""Two web nodes (separate gunicorn instances of two worker processes each) on one PostgreSQL and one Redis: a
policy change, a key's deactivation and a session revocation made through one node are in force on the other within
a second, and on every process of both from then on, measured, not assumed."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from botocore.exceptions import ClientError

from directory.services import inline
from tests.performance.conftest import ALICE_POLICY
from tests.query.conftest import client_for
from tests.support.gunicorn import gunicorn, send
from tests.support.signing import SignedClient

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]
WITHIN_SECONDS = 1.0
# Enough calls per node that both of its workers answer some (each has its own cache to prove fresh).
CALLS = 8


def node(port: int) -> SimpleNamespace:
    return SimpleNamespace(url=f"http://127.0.0.1:{port}", port=port)


def outcome(call) -> str:
    try:
        call()
        return "allowed"
    except ClientError as error:
        return error.response["Error"]["Code"]


def every_call(call) -> set[str]:
    return {outcome(call) for _ in range(CALLS)}


def seconds_until_refused(call) -> float:
    """From now until `call` is first refused (polling), failing after three times the bound."""
    started = time.monotonic()
    while outcome(call) == "allowed":
        assert time.monotonic() - started < 3 * WITHIN_SECONDS, "the change never reached the other node"
        time.sleep(0.01)
    return time.monotonic() - started


def signed_post(port: int, key: tuple[str, str], path: str) -> int:
    signer = SignedClient(*key, host=f"127.0.0.1:{port}")
    headers = {name: value for name, value in signer.signed_headers("POST", path).items() if name.lower() != "host"}
    return send(port, "POST", path, headers=headers | {"Host": f"127.0.0.1:{port}"})[0]


def test_changes_through_one_node_are_in_force_on_the_other_within_a_second(alice, root_credentials, tmp_path):
    root_key = (root_credentials.access_key_id, root_credentials.secret_access_key)
    with gunicorn(tmp_path, workers=2) as port_a, gunicorn(tmp_path, workers=2) as port_b:
        a, b = node(port_a), node(port_b)
        root_on_a = client_for(a, "iam", *root_key)
        alice_on = {n.port: client_for(n, "iam", *alice.test_access_key) for n in (a, b)}
        for n in (a, b):  # every worker of both nodes has alice's policies in its cache
            assert every_call(alice_on[n.port].list_users) == {"allowed"}

        # A policy change on A: refused on B within a second, then on every process of both.
        root_on_a.delete_user_policy(UserName="alice", PolicyName="work")
        waited = seconds_until_refused(alice_on[b.port].list_users)
        print(f"[nodes] policy change in force on the other node after {waited * 1000:.0f} ms")
        assert waited <= WITHIN_SECONDS
        for n in (a, b):
            assert every_call(alice_on[n.port].list_users) == {"AccessDenied"}

        # Allowed again, then the key deactivated on A.
        root_on_a.put_user_policy(UserName="alice", PolicyName="work", PolicyDocument=ALICE_POLICY)
        for n in (a, b):
            assert every_call(alice_on[n.port].list_users) == {"allowed"}
        root_on_a.update_access_key(UserName="alice", AccessKeyId=alice.test_access_key[0], Status="Inactive")
        waited = seconds_until_refused(alice_on[b.port].list_users)
        print(f"[nodes] key deactivation in force on the other node after {waited * 1000:.0f} ms")
        assert waited <= WITHIN_SECONDS
        for n in (a, b):
            assert every_call(alice_on[n.port].list_users) == {"InvalidClientTokenId"}
        root_on_a.update_access_key(UserName="alice", AccessKeyId=alice.test_access_key[0], Status="Active")

        # A role session used on B, its role's sessions revoked through A.
        credentials = client_for(b, "sts", *alice.test_access_key).assume_role(
            RoleArn=f"arn:aws:iam::{alice.account_id}:role/reader", RoleSessionName="build")["Credentials"]
        session = (credentials["AccessKeyId"], credentials["SecretAccessKey"], credentials["SessionToken"])
        session_on = {n.port: client_for(n, "iam", *session) for n in (a, b)}
        for n in (a, b):
            assert every_call(session_on[n.port].list_users) == {"allowed"}
        assert signed_post(a.port, root_key, "/api/v1/roles/reader/revoke-sessions") == 200
        waited = seconds_until_refused(session_on[b.port].list_users)
        print(f"[nodes] session revocation in force on the other node after {waited * 1000:.0f} ms")
        assert waited <= WITHIN_SECONDS
        for n in (a, b):
            assert every_call(session_on[n.port].list_users) == {"ExpiredToken"}


def test_a_change_made_outside_the_web_tier_is_in_force_on_every_process(alice, root_caller, tmp_path):
    """A change the test process makes itself (as a Celery job or manage.py would): no node is told anything."""
    with gunicorn(tmp_path, workers=2) as port:
        listing = client_for(node(port), "iam", *alice.test_access_key).list_users
        assert every_call(listing) == {"allowed"}
        inline.delete_user_policy(caller=root_caller, user_name="alice", policy_name="work")
        assert every_call(listing) == {"AccessDenied"}
