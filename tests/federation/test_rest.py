"""The REST API's federation routes: providers for signed callers, the STS exchanges for anyone with a token."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.federation.conftest import web_identity_trust
from tests.federation.saml_idp import LocalSAMLIdP
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db


def unsigned_post(path: str, body: dict):
    return Client(REMOTE_ADDR="127.0.0.1").post(path, json.dumps(body), content_type="application/json")


def test_oidc_provider_lifecycle_over_rest(root_api, issuer):
    created = root_api.post("/api/v1/oidc-providers/", {"url": issuer.url, "client_id_list": ["sts.amazonaws.com"],
                                                        "tags": [{"key": "team", "value": "ci"}]})
    assert created.status_code == 201, created.content
    arn = created.json()["arn"]
    assert arn == f"arn:aws:iam::123456789012:oidc-provider/{issuer.host_path}"
    base = f"/api/v1/oidc-providers/{arn}/"
    assert root_api.post(f"{base}client-ids/", {"client_id": "web-app"}).status_code == 204
    assert root_api.put(f"{base}thumbprints/", {"thumbprint_list": ["A" * 40]}).status_code == 204
    got = root_api.get(base).json()
    assert got["client_id_list"] == ["sts.amazonaws.com", "web-app"] and got["thumbprint_list"] == ["a" * 40]
    assert root_api.delete(f"{base}client-ids/?client_id=web-app").status_code == 204
    assert root_api.get(f"{base}tags/").json()["tags"] == [{"key": "team", "value": "ci"}]
    assert root_api.get("/api/v1/oidc-providers/").json() == {"open_id_connect_provider_list": [{"arn": arn}]}
    again = root_api.post("/api/v1/oidc-providers/", {"url": issuer.url})
    assert again.status_code == 409 and again.json()["error"]["code"] == "EntityAlreadyExists"
    assert root_api.delete(base).status_code == 204
    assert root_api.get(base).json()["error"]["code"] == "NoSuchEntity"


def test_provider_url_must_be_https(root_api):
    response = root_api.post("/api/v1/oidc-providers/", {"url": "http://idp.example.com"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidInput"


def test_user_without_permission_is_refused(user_api, issuer):
    _, api = user_api("nobody")
    response = api.post("/api/v1/oidc-providers/", {"url": issuer.url})
    assert response.status_code == 403 and "iam:CreateOpenIDConnectProvider" in response.json()["error"]["message"]


def test_web_identity_exchange_is_unsigned_and_its_credentials_sign_requests(ci_role, issuer):
    response = unsigned_post("/api/v1/sts/assume-role-with-web-identity", {
        "role_arn": ci_role.arn, "role_session_name": "build-7", "web_identity_token": issuer.token()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject_from_web_identity_token"] == "repo:acme/app:ref:refs/heads/main"
    assert body["audience"] == "sts.amazonaws.com" and body["provider"] == issuer.url
    assert response["Cache-Control"] == "no-store"
    credentials = body["credentials"]
    session = SignedClient(credentials["access_key_id"], credentials["secret_access_key"],
                           credentials["session_token"])
    identity = session.get("/api/v1/sts/caller-identity").json()
    assert identity["arn"] == "arn:aws:sts::123456789012:assumed-role/ci-deploy/build-7"


def test_web_identity_refusal_is_a_json_error(ci_role, issuer):
    response = unsigned_post("/api/v1/sts/assume-role-with-web-identity", {
        "role_arn": ci_role.arn, "role_session_name": "build-7", "web_identity_token": issuer.token(aud="x")})
    assert response.status_code == 400 and response.json()["error"]["code"] == "InvalidIdentityToken"
    forbidden = unsigned_post("/api/v1/sts/assume-role-with-web-identity", {
        "role_arn": ci_role.arn, "role_session_name": "build-7",
        "web_identity_token": issuer.token(sub="repo:other/x")})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "AccessDenied"


def test_saml_provider_and_exchange_over_rest(root_api, root_caller):
    idp = LocalSAMLIdP()
    created = root_api.post("/api/v1/saml-providers/", {"name": "Corp", "saml_metadata_document": idp.metadata()})
    assert created.status_code == 201, created.content
    arn = created.json()["arn"]
    assert root_api.get(f"/api/v1/saml-providers/{arn}/").json()["entity_id"] == idp.entity_id
    from directory.services import roles
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": arn},
                                                                "Action": "sts:AssumeRoleWithSAML"}]})
    role = roles.create_role(caller=root_caller, role_name="engineers", assume_role_policy_document=trust)
    response = unsigned_post("/api/v1/sts/assume-role-with-saml", {
        "role_arn": role.arn, "principal_arn": arn, "saml_assertion": idp.response(roles=[f"{role.arn},{arn}"])})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "alice@example.com" and body["subject_type"] == "persistent"
    assert body["assumed_role_user"]["arn"].endswith(":assumed-role/engineers/alice")
    bad = root_api.post("/api/v1/saml-providers/", {"name": "Bad", "saml_metadata_document": "<x/>" * 300})
    assert bad.status_code == 400


def test_provider_trusting_roles_can_be_created_with_the_web_identity_template(root_api, provider, issuer):
    response = root_api.post("/api/v1/roles/", {"role_name": "ci", "assume_role_policy_document":
                                                web_identity_trust(provider.arn, issuer.host_path)})
    assert response.status_code == 201, response.content
