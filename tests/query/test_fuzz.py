"""Random parameters for every implemented action: answers are AWS errors or successes, never a 500."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iam_console.query import registry
from iam_console.query.service_models import operation_model

pytestmark = pytest.mark.django_db

ACTIONS = [("iam", name) for name in registry.implemented("iam")] + \
    [("sts", name) for name in registry.implemented("sts")]


def flat_names(service: str, action: str) -> list[str]:
    """Flat parameter names for the action's members, one level of lists and structures deep."""
    shape = operation_model(service, action).input_shape
    names: list[str] = []
    for name, member in (shape.members.items() if shape else []):
        if member.type_name == "list":
            inner = member.member
            if inner.type_name == "structure":
                names += [f"{name}.member.1.{field}" for field in inner.members]
            else:
                names += [f"{name}.member.1", f"{name}.member.2"]
        elif member.type_name == "structure":
            names += [f"{name}.{field}" for field in member.members]
        else:
            names.append(name)
    return names


values = st.one_of(st.text(max_size=40), st.sampled_from(["", "0", "-1", "true", "alice", "/", "/a/", "Active",
                                                          "900", "arn:aws:iam::123456789012:role/x", "99999999999"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_parameters_never_fail_the_server(query, root_credentials, data):
    from tests.query.conftest import QueryClient

    service, action = data.draw(st.sampled_from(ACTIONS))
    names = flat_names(service, action)
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names))) if names else []
    params = {name: data.draw(values) for name in chosen}
    client = query if service == "iam" else QueryClient(root_credentials.access_key_id,
                                                        root_credentials.secret_access_key, service="sts")
    response = client.call(action, **params)
    assert response.status_code < 500, (action, params, response.content[:400])
