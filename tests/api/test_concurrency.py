"""Quotas hold under simultaneous requests: real transactions, two threads released together."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db(transaction=True)


def race(client: SignedClient, requests: list[tuple[str, str, dict | None]]) -> Counter:
    """Send the requests at once from separate threads (each with its own connection); count the outcomes."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def send(method: str, path: str, body: dict | None) -> None:
        own = SignedClient(client.access_key_id, client.secret_access_key)
        try:
            barrier.wait(timeout=10)
            response = own.request(method, path, body)
            outcomes.append(str(response.status_code) if response.status_code < 400
                            else response.json()["error"]["code"])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return Counter(outcomes)


def test_two_simultaneous_third_keys_give_one_success_and_one_limit_exceeded(root_api, make_user):
    make_user("racer", access_key=True)
    outcomes = race(root_api, [("POST", "/api/v1/users/racer/access-keys/", {})] * 2)
    assert outcomes == Counter({"201": 1, "LimitExceeded": 1})
    assert len(root_api.get("/api/v1/users/racer/access-keys/").json()["access_key_metadata"]) == 2


def test_two_simultaneous_tenth_and_eleventh_groups_give_one_limit_exceeded(root_api, make_user):
    make_user("joiner")
    for i in range(11):
        root_api.post("/api/v1/groups/", {"group_name": f"g{i}"})
    for i in range(9):
        root_api.post(f"/api/v1/groups/g{i}/members/", {"user_name": "joiner"})
    outcomes = race(root_api, [("POST", "/api/v1/groups/g9/members/", {"user_name": "joiner"}),
                               ("POST", "/api/v1/groups/g10/members/", {"user_name": "joiner"})])
    assert outcomes == Counter({"204": 1, "LimitExceeded": 1})
    assert len(root_api.get("/api/v1/users/joiner/groups/").json()["groups"]) == 10
