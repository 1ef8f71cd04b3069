"""Fixtures for other services: a registered `docs` service, its own identity, and callers with documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from directory.services import inline
from policies.services import catalogue
from tests.support.signing import SignedClient

# The client package lives in this repository with its own pyproject; the tests use it from its source.
CLIENT_SRC = Path(__file__).resolve().parents[2] / "client" / "src"
if str(CLIENT_SRC) not in sys.path:
    sys.path.insert(0, str(CLIENT_SRC))

EXAMPLE_CATALOGUE = Path(__file__).resolve().parents[2] / "examples" / "docs_service" / "catalogue.json"
SERVICE_ARN = "arn:aws:iam::123456789012:service/docs"
OWN_DOCUMENTS = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["docs:GetDocument", "docs:PutDocument", "docs:ListDocuments"],
    "Resource": "arn:aws:docs:::document/${aws:username}/*"}]})


def policy(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def docs_service(root_caller):
    definition = json.loads(EXAMPLE_CATALOGUE.read_text())
    return catalogue.put_service_definition(
        caller=root_caller, service_prefix=definition["service_prefix"], name=definition["name"],
        description=definition["description"], actions=definition["actions"],
        resource_types=definition["resource_types"], condition_keys=definition["condition_keys"]).service


@pytest.fixture
def service_identity(make_user, root_caller):
    """The docs service's own user: allowed to ask the directory about docs requests, nothing else."""
    user = make_user("docs-service", access_key=True)
    inline.put_user_policy(caller=root_caller, user_name="docs-service", policy_name="ask",
                           policy_document=policy({"Effect": "Allow", "Action": "iam:AuthorizeRequest",
                                                   "Resource": SERVICE_ARN}))
    key_id, secret = user.test_access_key
    return user, SignedClient(key_id, secret)


@pytest.fixture
def document_user(make_user, root_caller):
    """A user allowed to read and write their own documents in the docs service."""

    def make(name: str):
        user = make_user(name, access_key=True)
        inline.put_user_policy(caller=root_caller, user_name=name, policy_name="own-documents",
                               policy_document=OWN_DOCUMENTS)
        return user

    return make
