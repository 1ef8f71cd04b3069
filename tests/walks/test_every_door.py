"""Every operation of every door, walked: hostile input in every parameter, a caller with no permission against an
existing and a missing entity of every kind, and requests that are unsigned or signed wrongly.

The doors and their operations come from registration (doors.py) and from each door's own registry (the Query
API's action registry, the URL map, the pages' forms): an operation added later is walked without a change here.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT_PASSWORD
from tests.support.database import rolled_back
from tests.walks.doors import Credentials, Identity, load_doors
from tests.walks.entities import GLOBALLY_UNIQUE, KINDS, create_existing_entities, kind_of, missing_entities

pytestmark = pytest.mark.django_db

DOORS = load_doors()
ROOT = Path(__file__).resolve().parents[2]
# Operations each walk must at least reach, per door: a door whose registry shrinks by mistake fails. The JSON door
# is young (Organizations' operations join it one by one); the SCIM door is small (Users, Groups, discovery).
# The REST-JSON door's operations are all public (SSO OIDC) or act only for the token's person (the portal API).
MINIMUM_WALKED = {"json": 1, "scim": 15, "restjson": 0}


def call(door, operation, arguments, caller, credentials=Credentials.SIGNED):
    with rolled_back():
        return door.call(operation, arguments, caller, credentials)


@pytest.fixture
def existing(root_caller, make_user) -> dict[str, str]:
    return create_existing_entities(root_caller, make_user)


@pytest.fixture
def root_identity(root_credentials) -> Identity:
    return Identity("root", root_credentials.access_key_id, root_credentials.secret_access_key, ROOT_PASSWORD)


@pytest.fixture
def nobody(make_user) -> Identity:
    user = make_user("nobody", password="Nobody-Passw0rd!", access_key=True)
    return Identity("nobody", *user.test_access_key, password="Nobody-Passw0rd!")


@pytest.fixture
def other_administrator(make_account) -> Identity:
    """The administrator of another account: AdministratorAccess there, nothing granted by this one."""
    member = make_account("Walkers")
    user = member.make_user("admin", password="Other-Admin-Passw0rd!", access_key=True,
                            policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    return Identity("admin", *user.test_access_key, password="Other-Admin-Passw0rd!", account=member.id)


# --- the walks cover every door and every kind of entity ----------------------------------------------------
def product_doors() -> set[str]:
    """The door packages of pyproject's layers contract (its top layer): where every new door must be listed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    layers = next(contract["layers"] for contract in config["tool"]["importlinter"]["contracts"]
                  if contract.get("type") == "layers")
    return set(re.findall(r"[\w.]+", layers[0]))


def test_every_door_of_the_product_is_walked():
    walked = {package for door in DOORS.values() for package in door.packages}
    assert product_doors() <= walked, f"doors without a walk adapter (tests/walks/door_*.py): " \
                                      f"{sorted(product_doors() - walked)}"


def test_every_door_finds_its_operations():
    from iam_console.query import registry

    counts = {name: len(door.operations()) for name, door in DOORS.items()}
    assert counts["query"] == len(registry.implemented("iam")) + len(registry.implemented("sts"))
    assert counts["rest"] >= 100 and counts["console"] >= 100
    names = {op.name for op in DOORS["rest"].operations()}
    assert {"POST /api/v1/saml-providers/", "GET /api/v1/oidc-providers/{arn}/",
            "POST /api/v1/authorization/verify/"} <= names


# Parameters named like an entity (…Name, …Arn, …Id) that name none: a new one either gets a kind in entities.py
# or a line here saying why it names no entity.
NOT_ENTITIES = {"newusername", "newgroupname", "newpath", "rolesessionname", "externalid", "sourceidentity",
                "providerid", "servicename", "callerarn", "resourcearns", "identitycenterinstancearn",
                "clientid", "resourcepolicy", "resourceowner", "policyinputlist", "actionnames", "accountid"}


def test_every_entity_parameter_has_samples():
    from tests.walks.door_query import flat_members
    from tests.walks.entities import normalise

    unknown = set()
    for operation in DOORS["query"].operations():
        from iam_console.query.service_models import operation_model

        shape = operation_model(operation.detail["service"], operation.detail["action"]).input_shape
        for flat, _, _ in flat_members(shape):
            leaf = normalise(flat.split(".")[0])
            if leaf.endswith(("name", "arn", "id")) and kind_of(leaf) is None and leaf not in NOT_ENTITIES:
                unknown.add(f"{operation.name}: {flat}")
    assert sorted(unknown) == []
    assert set(KINDS) == set(missing_entities())


# --- the walks ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("door_name", sorted(DOORS))
def test_hostile_input_in_every_parameter_never_fails_the_server(door_name, existing, root_identity):
    """A NUL, non-ASCII digits and hostile list indexes in each parameter of each operation, sent by the root user
    (so that input reaches the services): each answer is the door's own 4xx or a success, never a 5xx."""
    door = DOORS[door_name]
    door.begin(root_identity)
    failures, tried = [], 0
    for operation in door.operations():
        for label, arguments in door.hostile_arguments(operation, existing):
            answer = call(door, operation, arguments, root_identity)
            tried += 1
            if answer.status >= 500 or not answer.well_formed:
                failures.append(f"{operation.name} with {label}: {answer}")
    assert failures == [], "\n".join(failures)
    assert tried >= {"query": 800, "rest": 500, "console": 300, "json": 3}.get(door_name, 50)


def _normalised(answer, samples: list[dict[str, str]]) -> tuple:
    message = answer.message
    for value in sorted({v for s in samples for v in s.values() if v}, key=len, reverse=True):
        message = message.replace(value, "<entity>")
    return answer.status, answer.code, message


@pytest.mark.parametrize("door_name", sorted(DOORS))
def test_a_caller_with_no_permission_cannot_tell_existing_entities_from_missing_ones(door_name, existing, nobody):
    """Every operation, called by a user with no policy for an entity of every kind that exists and for one that
    does not: the same answer (status, code and message but for the names), and for the APIs AccessDenied."""
    door = DOORS[door_name]
    door.begin(nobody)
    missing = missing_entities()
    differences, not_denied, walked = [], [], 0
    for operation in door.operations():
        if operation.public or operation.self_service:
            continue
        answers = [call(door, operation, door.arguments(operation, samples), nobody)
                   for samples in (existing, missing)]
        walked += 1
        if _normalised(answers[0], [existing, missing]) != _normalised(answers[1], [existing, missing]):
            differences.append(f"{operation.name}: {answers[0]} | {answers[1]}")
        if answers[0].status >= 500 or (door_name != "console" and not door.is_access_denied(answers[0])):
            not_denied.append(f"{operation.name}: {answers[0]}")
    assert differences == [], "\n".join(differences)
    assert not_denied == [], "\n".join(not_denied)
    assert walked >= MINIMUM_WALKED.get(door_name, 50)


@pytest.mark.parametrize("door_name", sorted(DOORS))
def test_another_accounts_administrator_cannot_tell_this_accounts_entities_from_missing_ones(
        door_name, existing, other_administrator):
    """Every operation, called by an administrator of another account (allowed everything in its own) for the
    management account's entities of every kind, by name and by ARN, and for missing ones: the same answer
    (status, code and message but for the names). Another account's entities are not there for it."""
    door = DOORS[door_name]
    door.begin(other_administrator)
    missing = missing_entities()
    # Creating a name unique across the directory that another account holds is refused, as AWS refuses an alias
    # some account holds: those kinds are walked with names nobody holds on both sides.
    theirs = {**existing, **{kind: missing[kind] for kind in GLOBALLY_UNIQUE}}
    differences, failures, walked = [], [], 0
    for operation in door.operations():
        if operation.public or operation.self_service:
            continue
        answers = [call(door, operation, door.arguments(operation, samples), other_administrator)
                   for samples in (theirs, missing)]
        walked += 1
        if _normalised(answers[0], [theirs, missing]) != _normalised(answers[1], [theirs, missing]):
            differences.append(f"{operation.name}: {answers[0]} | {answers[1]}")
        if answers[0].status >= 500 or not answers[0].well_formed:
            failures.append(f"{operation.name}: {answers[0]}")
    assert differences == [], "\n".join(differences)
    assert failures == [], "\n".join(failures)
    assert walked >= MINIMUM_WALKED.get(door_name, 50)


@pytest.mark.parametrize("door_name", sorted(DOORS))
@pytest.mark.parametrize("credentials", [Credentials.UNSIGNED, Credentials.WRONG_SCOPE, Credentials.WRONG_SECRET],
                         ids=lambda credentials: credentials.value)
def test_requests_without_valid_credentials_are_refused(door_name, credentials, existing, nobody):
    """Unsigned, signed for another service, or signed with a wrong secret: every operation that needs a caller
    refuses (403, or the console's way to its sign-in page), never a 5xx."""
    door = DOORS[door_name]
    failures = []
    for operation in door.operations():
        if operation.public:
            continue
        answer = call(door, operation, door.arguments(operation, existing), nobody, credentials)
        if answer.status >= 500 or not door.refuses_unauthenticated(answer):
            failures.append(f"{operation.name}: {answer}")
    assert failures == [], "\n".join(failures)
