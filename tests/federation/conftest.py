"""Fixtures for federation: a real OIDC issuer on 127.0.0.1 over HTTPS, providers, roles that trust them."""

from __future__ import annotations

import json

import pytest

from directory.services import roles
from policies.authorization import Caller
from sts.federation import oidc, oidc_providers
from sts.federation.principals import ANONYMOUS
from tests.console.conftest import root_console, user_console  # noqa: F401 - console clients for these tests
from tests.federation.issuer import LocalIssuer, TLSMaterial

ACCOUNT = "123456789012"


@pytest.fixture(scope="session")
def tls() -> TLSMaterial:
    return TLSMaterial()


@pytest.fixture(scope="session")
def issuer_server(tls):
    server = LocalIssuer(tls).start()
    yield server
    server.stop()


@pytest.fixture
def issuer(issuer_server, settings):
    """The test issuer, with fresh keys cache. The tests' issuer lives on 127.0.0.1, which the directory refuses
    by default: these settings allow it explicitly (test_default_refuses_private_issuers proves the default)."""
    settings.IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS = True
    settings.IAM_FEDERATION_CA_BUNDLE = issuer_server.tls.ca_file
    settings.IAM_FEDERATION_JWKS_REFRESH_SECONDS = 0
    settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS = 2
    issuer_server.reset()
    oidc.forget_keys(issuer_server.url)
    yield issuer_server
    issuer_server.reset()
    oidc.forget_keys(issuer_server.url)


@pytest.fixture
def anonymous() -> Caller:
    return Caller(principal=ANONYMOUS, via="api", source_ip="127.0.0.1")


@pytest.fixture
def provider(issuer, root_caller):
    return oidc_providers.create_open_id_connect_provider(caller=root_caller, url=issuer.url,
                                                          client_id_list=[issuer.client_id])


def web_identity_trust(provider_arn: str, host_path: str, *, sub: str = "repo:acme/*", actions=None,
                       extra_condition: dict | None = None) -> str:
    condition = {"StringEquals": {f"{host_path}:aud": "sts.amazonaws.com"},
                 "StringLike": {f"{host_path}:sub": sub}}
    condition.update(extra_condition or {})
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn},
        "Action": actions or ["sts:AssumeRoleWithWebIdentity"], "Condition": condition}]})


@pytest.fixture
def ci_role(provider, issuer, root_caller):
    return roles.create_role(caller=root_caller, role_name="ci-deploy",
                             assume_role_policy_document=web_identity_trust(provider.arn, issuer.host_path))
