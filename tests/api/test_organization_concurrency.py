"""The organization's tree rules hold under simultaneous requests: real transactions on separate connections, the
requests released together from threads."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from accounts.models import Account, OrganizationalUnit, PolicyAttachment
from audit.models import AuditEvent
from tests.api.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

DENY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:DeleteUser",
                                                           "Resource": "*"}]})


@pytest.fixture
def tree(root_api) -> dict:
    """An organization with SCPs enabled, OUs A, B and C under the root, and one member account under the root."""
    made = root_api.post("/api/v1/organization/")
    assert made.status_code == 201, made.content
    root = made.json()["organization"]["root_id"]
    assert root_api.put(f"/api/v1/organization/roots/{root}/policy-types/SERVICE_CONTROL_POLICY/").status_code == 200
    units = {}
    for name in ("A", "B", "C"):
        created = root_api.post("/api/v1/organization/units/", {"parent_id": root, "name": name})
        assert created.status_code == 201, created.content
        units[name] = created.json()["organizational_unit"]["id"]
    status = root_api.post("/api/v1/organization/accounts/", {"email": "mover@example.com", "account_name": "Mover"})
    assert status.status_code == 201, status.content
    return {"root": root, **units, "account": status.json()["create_account_status"]["account_id"]}


def _listed_under(root_api, parent_ids) -> list[str]:
    """Every parent the account is listed under by ListAccountsForParent, once per listing."""
    found = []
    for parent_id in parent_ids:
        listed = root_api.get(f"/api/v1/organization/accounts/?parent_id={parent_id}").json()["accounts"]
        found += [parent_id for account in listed if account["name"] == "Mover"]
    return found


def _scps(target_id: str) -> set[str]:
    return set(PolicyAttachment.objects.filter(target_id=target_id, policy_type="SERVICE_CONTROL_POLICY")
               .values_list("policy_id", flat=True))


def test_two_simultaneous_moves_of_one_account_leave_it_under_exactly_one_parent(root_api, tree):
    source = tree["root"]
    for round_ in range(3):  # each round starts from where the last one left the account
        destinations = [unit for unit in (tree["A"], tree["B"], tree["C"]) if unit != source][:2]
        outcomes = race(root_api, [("POST", f"/api/v1/organization/accounts/{tree['account']}/move/",
                                    {"source_parent_id": source, "destination_parent_id": destination})
                                   for destination in destinations])
        assert outcomes == Counter({"200": 1, "AccountNotFoundException": 1}), round_
        parent = Account.objects.get(pk=tree["account"]).parent_unit_id
        assert parent in destinations
        assert _listed_under(root_api, [tree["root"], tree["A"], tree["B"], tree["C"]]) == [parent]
        source = parent
    moves = AuditEvent.objects.filter(event_name="MoveAccount")
    assert moves.filter(error_code="").count() == 3
    assert moves.filter(error_code="AccountNotFoundException").count() == 3


def test_a_move_into_an_ou_being_deleted_either_lands_or_is_refused_never_half_done(root_api, tree):
    for _ in range(3):
        target = root_api.post("/api/v1/organization/units/", {"parent_id": tree["root"], "name": "Doomed"})
        target_id = target.json()["organizational_unit"]["id"]
        outcomes = race(root_api, [
            ("POST", f"/api/v1/organization/accounts/{tree['account']}/move/",
             {"source_parent_id": tree["root"], "destination_parent_id": target_id}),
            ("DELETE", f"/api/v1/organization/units/{target_id}/", None)])
        account = Account.objects.get(pk=tree["account"])
        if outcomes == Counter({"200": 1, "OrganizationalUnitNotEmptyException": 1}):
            assert account.parent_unit_id == target_id
            moved_back = root_api.post(f"/api/v1/organization/accounts/{tree['account']}/move/",
                                       {"source_parent_id": target_id, "destination_parent_id": tree["root"]})
            assert moved_back.status_code == 200
        else:
            assert outcomes == Counter({"204": 1, "DestinationParentNotFoundException": 1}), outcomes
            assert account.parent_unit_id is None
        if OrganizationalUnit.objects.filter(pk=target_id).exists():
            assert root_api.delete(f"/api/v1/organization/units/{target_id}/").status_code == 204
        assert not OrganizationalUnit.objects.filter(pk=target_id).exists()


def test_simultaneous_detaches_keep_at_least_one_scp_on_the_node(root_api, tree):
    policy = root_api.post("/api/v1/organization/policies/", {"name": "KeepUsers", "type": "SERVICE_CONTROL_POLICY",
                                                              "content": DENY}).json()["policy"]["id"]
    for target in (tree["A"], tree["account"], tree["root"]):
        assert root_api.post(f"/api/v1/organization/policies/{policy}/targets/",
                             {"target_id": target}).status_code == 204
        outcomes = race(root_api, [("DELETE", f"/api/v1/organization/policies/{kept}/targets/{target}/", None)
                                   for kept in ("p-FullAWSAccess", policy)])
        assert outcomes == Counter({"204": 1, "ConstraintViolationException": 1}), target
        assert len(_scps(target)) == 1


def test_simultaneous_attaches_and_detaches_never_leave_a_node_without_an_scp(root_api, tree):
    made = [root_api.post("/api/v1/organization/policies/", {"name": f"Guard{i}", "type": "SERVICE_CONTROL_POLICY",
                                                             "content": DENY}).json()["policy"]["id"]
            for i in range(3)]
    target = tree["B"]
    assert root_api.post(f"/api/v1/organization/policies/{made[0]}/targets/", {"target_id": target}).status_code == 204
    for _ in range(3):
        before = _scps(target)
        detaching = sorted(before)
        attaching = [policy for policy in made if policy not in before][:1]
        outcomes = race(root_api,
                        [("DELETE", f"/api/v1/organization/policies/{policy}/targets/{target}/", None)
                         for policy in detaching]
                        + [("POST", f"/api/v1/organization/policies/{policy}/targets/", {"target_id": target})
                           for policy in attaching])
        after = _scps(target)
        assert after, outcomes  # never a node without an SCP
        assert set(outcomes) <= {"204", "ConstraintViolationException"}, outcomes
        assert sum(outcomes.values()) == len(detaching) + len(attaching)
        detached = outcomes["204"] - len(attaching)  # every attach succeeds: the node is far from its limit
        assert set(attaching) <= after and len(after) == len(before) + len(attaching) - detached, (before, after)


def test_an_attach_racing_the_deletion_of_its_policy_either_lands_or_finds_no_policy(root_api, tree):
    for round_ in range(3):
        policy = root_api.post("/api/v1/organization/policies/", {
            "name": f"Racing{round_}", "type": "SERVICE_CONTROL_POLICY", "content": DENY}).json()["policy"]["id"]
        outcomes = race(root_api, [("POST", f"/api/v1/organization/policies/{policy}/targets/",
                                    {"target_id": tree["C"]}),
                                   ("DELETE", f"/api/v1/organization/policies/{policy}/", None)])
        if outcomes == Counter({"204": 1, "PolicyInUseException": 1}):
            assert policy in _scps(tree["C"])
            assert root_api.delete(f"/api/v1/organization/policies/{policy}/targets/{tree['C']}/").status_code == 204
        else:
            assert outcomes == Counter({"204": 1, "PolicyNotFoundException": 1}), outcomes
        assert _scps(tree["C"]) == {"p-FullAWSAccess"}
