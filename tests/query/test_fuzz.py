"""A fuzz of the Query API driven by botocore's models: for every implemented action, requests drawn from its input
shape (every member, nested structures and lists with their indexes, each of its type, valid or hostile) are
answered with an AWS error or a success, never a 5xx, and always as AWS's XML."""

from __future__ import annotations

import collections
from xml.etree import ElementTree

import hypothesis
import pytest
from botocore.model import Shape
from hypothesis import HealthCheck
from hypothesis import strategies as st

from iam_console.query import registry
from iam_console.query.service_models import SERVICES, operation_model
from tests.query.conftest import QueryClient
from tests.support.database import rolled_back
from tests.walks.doors import LONG_INDEX, NON_ASCII_DIGITS, NUL
from tests.walks.entities import KINDS, POLICY_DOCUMENT, TRUST_DOCUMENT, create_existing_entities

pytestmark = pytest.mark.django_db

# Requests drawn per action: every action is fuzzed, a few times each, so the run stays short.
EXAMPLES_PER_ACTION = 4
MAX_DEPTH = 3

ACTIONS = [(service, action) for service in SERVICES for action in registry.implemented(service)]

# Values a member of any type may be sent: the entities that exist, documents, and what breaks parsers.
TEXT = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["", " ", NUL, *NON_ASCII_DIGITS, "a" * 3000, "/", "/a/b/", "*", "\ud7ff", "💥",
                     POLICY_DOCUMENT, TRUST_DOCUMENT, "{", "<x/>", *[existing for existing, _ in KINDS.values()
                                                                  if existing]]),
)
NUMBERS = st.one_of(st.integers(min_value=-(10**6), max_value=10**13).map(str),
                    st.sampled_from(["", "0", "-1", "1e3", "0x10", " 7", "99999999999999999999", LONG_INDEX,
                                     *NON_ASCII_DIGITS]))
BOOLEANS = st.sampled_from(["true", "false", "True", "FALSE", "yes", "1", "", NUL])
TIMESTAMPS = st.sampled_from(["2024-01-01T00:00:00Z", "2024-13-40T99:00:00Z", "yesterday", "", NUL,
                              "1704067200"])
INDEXES = st.one_of(st.sampled_from(["1", "2", "3"]), st.sampled_from(["0", "01", "-1", "x", LONG_INDEX,
                                                                        *NON_ASCII_DIGITS]))


def _scalar(shape: Shape) -> st.SearchStrategy[str]:
    kind = shape.type_name
    if kind in ("integer", "long", "float", "double"):
        return NUMBERS
    if kind == "boolean":
        return BOOLEANS
    if kind == "timestamp":
        return TIMESTAMPS
    if shape.enum:
        return st.one_of(st.sampled_from(list(shape.enum)), TEXT)
    return TEXT


def member_params(shape: Shape, flat: str, depth: int) -> st.SearchStrategy[dict[str, str]]:
    """Flat Query parameters for one member: `Tags.member.1.Key=…`, however deep its shape."""
    kind = shape.type_name
    if kind == "structure":
        return structure_params(shape, f"{flat}.", depth + 1) if depth < MAX_DEPTH else st.just({})
    if kind in ("list", "map"):
        if depth >= MAX_DEPTH:
            return st.just({})
        container = "member" if kind == "list" else "entry"

        def element(index: str) -> st.SearchStrategy[dict[str, str]]:
            prefix = f"{flat}.{container}.{index}"
            if kind == "list":
                return member_params(shape.member, prefix, depth + 1)
            return st.tuples(member_params(shape.key, f"{prefix}.key", depth + 1),
                             member_params(shape.value, f"{prefix}.value", depth + 1)).map(_merge)

        return st.lists(INDEXES, max_size=3, unique=True).flatmap(
            lambda indexes: st.tuples(*(element(index) for index in indexes)).map(_merge))
    return _scalar(shape).map(lambda value: {flat: value})


def structure_params(shape: Shape | None, prefix: str = "", depth: int = 0) -> st.SearchStrategy[dict[str, str]]:
    """Every member of the structure, each present or left out; required ones are left out only sometimes."""
    if shape is None or not shape.members:
        return st.just({})
    parts = []
    for name, member in shape.members.items():
        flat = f"{prefix}{member.serialization.get('name', name)}"
        parts.append(st.one_of(st.just({}), member_params(member, flat, depth)))
    return st.tuples(*parts).map(_merge)


def _merge(parts: tuple[dict[str, str], ...]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for part in parts:
        merged.update(part)
    return merged


def _is_aws_xml(response) -> bool:
    if not response.get("Content-Type", "").startswith("text/xml"):
        return False
    try:
        root = ElementTree.fromstring(response.content)
    except ElementTree.ParseError:
        return False
    return root.tag.endswith("ErrorResponse") == (response.status_code >= 400)


def fuzz_action(client: QueryClient, service: str, action: str, counts: collections.Counter,
                failures: list[str]) -> None:
    @hypothesis.settings(max_examples=EXAMPLES_PER_ACTION, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    @hypothesis.given(params=structure_params(operation_model(service, action).input_shape))
    def fuzz(params: dict[str, str]) -> None:
        with rolled_back():
            response = client.call(action, **params)
        counts[response.status_code // 100] += 1
        if response.status_code >= 500 or not _is_aws_xml(response):
            failures.append(f"{service}:{action} {sorted(params)[:6]} -> {response.status_code} "
                            f"{response.content[:160]!r}")

    fuzz()


def test_every_action_answers_every_shape_of_input_without_failing(root_credentials, root_caller, make_user):
    create_existing_entities(root_caller, make_user)
    clients = {service: QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key,
                                    service=service) for service in SERVICES}
    counts: collections.Counter = collections.Counter()
    failures: list[str] = []
    for service, action in ACTIONS:
        fuzz_action(clients[service], service, action, counts, failures)
    print(f"Query fuzz: {len(ACTIONS)} actions, {sum(counts.values())} requests, by status class {dict(counts)}")
    assert failures == [], "\n".join(failures[:20])
    assert sum(counts.values()) >= len(ACTIONS) * 2
