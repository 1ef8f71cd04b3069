"""Through the REST API, an account's caller reads, changes and even detects only its own account's entities,
while another account holds the very same names."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from tests.accounts.isolation import (
    MANAGEMENT,
    NOBODY,
    furnish,
    furnish_only_in_management,
    mentions_account,
    snapshot,
)
from tests.security.test_existence_not_leaked import API_ROUTES, METHODS

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(root_caller, make_account):
    """A member account beside the management account, both furnished with the same names."""
    member = make_account("Member")
    furnish(root_caller, path="/a/", minimum_length=10)
    furnish(member.caller, path="/b/", minimum_length=14)
    return member


def test_each_account_lists_and_reads_its_own_entities_of_the_same_names(root_api, member):
    api = member.root_api()
    for own, client in ((MANAGEMENT, root_api), (member.id, api)):
        path = "/a/" if own == MANAGEMENT else "/b/"
        alice = client.get("/api/v1/users/alice/").json()["user"]
        assert alice["arn"] == f"arn:aws:iam::{own}:user{path}alice"
        assert [u["arn"] for u in client.get("/api/v1/users/").json()["users"]] == [alice["arn"]]
        assert [g["arn"] for g in client.get("/api/v1/groups/").json()["groups"]] == [
            f"arn:aws:iam::{own}:group{path}team"]
        assert [m["user_name"] for m in client.get("/api/v1/groups/team/").json()["users"]] == ["alice"]
        roles = [r["arn"] for r in client.get("/api/v1/roles/").json()["roles"]]
        assert f"arn:aws:iam::{own}:role{path}deployer" in roles
        assert all(f":{own}:" in arn for arn in roles)
        local = client.get("/api/v1/policies/?scope=Local").json()["policies"]
        assert [p["arn"] for p in local] == [f"arn:aws:iam::{own}:policy{path}shared"]
        # An AWS-managed policy is shared; its uses are counted in the caller's account only.
        admin = client.get("/api/v1/policies/arn:aws:iam::aws:policy/AdministratorAccess/").json()["policy"]
        assert admin["attachment_count"] == (1 if own == MANAGEMENT else 2)  # the member's access role too
        entities = client.get("/api/v1/policies/arn:aws:iam::aws:policy/AdministratorAccess/entities/").json()
        held = {"policy_groups": [g["group_id"] for g in client.get("/api/v1/groups/").json()["groups"]],
                "policy_roles": [client.get("/api/v1/roles/OrganizationAccountAccessRole/").json()["role"]["role_id"]]
                if own != MANAGEMENT else []}
        assert [g["group_id"] for g in entities["policy_groups"]] == held["policy_groups"]
        assert [r["role_id"] for r in entities["policy_roles"]] == held["policy_roles"]
        assert client.get("/api/v1/users/alice/tags/").json()["tags"] == [{"key": "home", "value": own}]
        assert client.get("/api/v1/account/password-policy/").json()["password_policy"][
            "minimum_password_length"] == (10 if own == MANAGEMENT else 14)
        events = client.get("/api/v1/audit-events/?max_items=1000").json()["events"]
        assert events and {e["actor"].split(":")[4] for e in events
                           if e["actor"].startswith("arn:") and e["actor"] != "arn:aws:iam::system"} <= {own}
    assert not mentions_account(str(api.get("/api/v1/users/").json()))


def test_another_accounts_names_answer_as_names_nobody_holds_on_every_route(root_caller, member):
    only_in_a = furnish_only_in_management(root_caller)
    before = snapshot()
    api = member.root_api()
    named = set(only_in_a.values()) | set(NOBODY.values())
    differences, leaks, not_found = {}, [], 0
    for route in API_ROUTES:
        for method in METHODS:
            answers = []
            for samples in (only_in_a, NOBODY):
                response = api.request(method, route.fill(samples), {} if method != "GET" else None)
                text = response.content.decode(errors="replace")
                body = response.json() if response["Content-Type"] == "application/json" else {}
                answers.append((response.status_code, body.get("error", {}).get("code")))
                for value in named:  # what the request itself named may be echoed; nothing else of the account
                    text = text.replace(value, "")
                if mentions_account(text, by_id=False):
                    leaks.append(f"{method} {route.fill(samples)}")
            if answers[0] != answers[1]:
                differences[f"{method} {route.template}"] = answers
            not_found += answers[0] == (404, "NoSuchEntity")
    assert differences == {}
    assert leaks == []
    assert not_found >= 40  # the walk reached the lookups, not just validation
    assert snapshot() == before


def test_writes_with_shared_names_change_the_callers_account_only(root_api, member):
    before = snapshot()
    api = member.root_api()
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert api.delete("/api/v1/groups/team/members/alice/").status_code == 204
    assert api.delete(f"/api/v1/groups/team/attached-policies/{admin}/").status_code == 204
    assert api.delete("/api/v1/users/alice/inline-policies/inline/").status_code == 204
    assert api.put("/api/v1/account/password-policy/", {"minimum_password_length": 20}).status_code == 200
    assert api.post("/api/v1/users/", {"user_name": "only-in-b"}).status_code == 201
    # The management account's policy ARN is not the member's to attach: it does not exist for it.
    response = api.post("/api/v1/users/alice/attached-policies/",
                        {"policy_arn": f"arn:aws:iam::{MANAGEMENT}:policy/a/shared"})
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NoSuchEntity")
    assert snapshot() == before
    assert root_api.get("/api/v1/groups/team/").json()["users"][0]["user_name"] == "alice"
    assert root_api.get("/api/v1/users/only-in-b/").status_code == 404


def test_an_access_key_signs_for_its_own_account_only(root_api, member):
    key_of_a = root_api.get("/api/v1/users/alice/access-keys/").json()["access_key_metadata"][0]["access_key_id"]
    api = member.root_api()
    response = api.get(f"/api/v1/users/alice/access-keys/{key_of_a}/")
    assert response.status_code in (404, 405)
    assert api.patch(f"/api/v1/users/alice/access-keys/{key_of_a}/", {"status": "Inactive"}).status_code == 404
    assert api.delete(f"/api/v1/users/alice/access-keys/{key_of_a}/").status_code == 404
    assert AuditEvent.objects.filter(account_id=member.id, error_code="NoSuchEntity").count() >= 2
    assert root_api.get("/api/v1/users/alice/access-keys/").json()["access_key_metadata"][0]["status"] == "Active"
