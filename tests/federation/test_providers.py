"""OpenID Connect providers as IAM entities, and what the directory refuses to fetch from an issuer."""

from __future__ import annotations

import pytest

from iam_console.callers import Caller
from iam_console.errors import (
    AccessDenied,
    IDPCommunicationError,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from sts.federation import fetch, oidc_providers
from sts.federation.web_identity import assume_role_with_web_identity

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["http://idp.example.com", "https://idp.example.com/?a=b", "https://idp.example.com#x",
                                 "https://user@idp.example.com", "https:///path", "idp.example.com"])
def test_provider_url_must_be_a_plain_https_url(root_caller, url):
    with pytest.raises(InvalidInput):
        oidc_providers.create_open_id_connect_provider(caller=root_caller, url=url, client_id_list=["a"])


def test_url_is_kept_as_the_arn_names_it(root_caller):
    provider = oidc_providers.create_open_id_connect_provider(
        caller=root_caller, url="https://Token.Actions.GitHubUserContent.com/", client_id_list=["sts.amazonaws.com"])
    assert provider.arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def test_thumbprints_are_forty_hex_digits_and_at_most_five(root_caller):
    with pytest.raises(ValidationError):
        oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://a.example", thumbprint_list=["xyz"])
    with pytest.raises(ValidationError):
        oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://a.example",
                                                       thumbprint_list=["a" * 40] * 6)


def test_client_ids_are_limited_to_a_hundred(root_caller):
    provider = oidc_providers.create_open_id_connect_provider(
        caller=root_caller, url="https://a.example", client_id_list=[f"c{i}" for i in range(100)])
    with pytest.raises(LimitExceeded):
        oidc_providers.add_client_id_to_open_id_connect_provider(
            caller=root_caller, open_id_connect_provider_arn=provider.arn, client_id="one-more")
    # Adding one that is there already changes nothing, as in AWS.
    oidc_providers.add_client_id_to_open_id_connect_provider(
        caller=root_caller, open_id_connect_provider_arn=provider.arn, client_id="c1")


def test_unknown_provider_arn_is_no_such_entity(root_caller):
    with pytest.raises(NoSuchEntity):
        oidc_providers.get_open_id_connect_provider(
            caller=root_caller, open_id_connect_provider_arn="arn:aws:iam::123456789012:oidc-provider/none.example")
    with pytest.raises(ValidationError):
        oidc_providers.get_open_id_connect_provider(caller=root_caller, open_id_connect_provider_arn="not-an-arn")


def test_actions_are_authorized_on_the_provider_arn(make_user, root_caller):
    from directory.services import inline

    user = make_user("ci-admin")
    inline.put_user_policy(caller=root_caller, user_name="ci-admin", policy_name="oidc", policy_document=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*OpenIDConnectProvider*",'
        '"Resource":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}]}'))
    caller = Caller(principal=user)
    oidc_providers.create_open_id_connect_provider(caller=caller, url="https://token.actions.githubusercontent.com",
                                                   client_id_list=["sts.amazonaws.com"])
    with pytest.raises(AccessDenied, match="iam:CreateOpenIDConnectProvider"):
        oidc_providers.create_open_id_connect_provider(caller=caller, url="https://other.example")


def test_discovery_naming_another_issuer_is_refused(anonymous, ci_role, issuer):
    issuer.discovery_overrides = {"issuer": "https://evil.example"}
    with pytest.raises(IDPCommunicationError, match="another issuer"):
        assume_role_with_web_identity(caller=anonymous, role_arn=ci_role.arn, role_session_name="x1",
                                      web_identity_token=issuer.token())


def test_jwks_url_that_is_not_https_is_refused(anonymous, ci_role, issuer):
    issuer.discovery_overrides = {"jwks_uri": f"http://127.0.0.1:{issuer.port}/idp/jwks"}
    with pytest.raises(IDPCommunicationError, match="https"):
        assume_role_with_web_identity(caller=anonymous, role_arn=ci_role.arn, role_session_name="x1",
                                      web_identity_token=issuer.token())


def test_oversized_jwks_is_refused(anonymous, ci_role, issuer):
    issuer.jwks_padding = fetch.MAX_DOCUMENT_BYTES
    with pytest.raises(IDPCommunicationError, match="larger than"):
        assume_role_with_web_identity(caller=anonymous, role_arn=ci_role.arn, role_session_name="x1",
                                      web_identity_token=issuer.token())


def test_jwks_url_on_a_private_address_is_refused_by_default(settings, issuer):
    settings.IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS = False
    for url in (f"https://127.0.0.1:{issuer.port}/idp/jwks", "https://10.0.0.8/jwks", "https://169.254.169.254/",
                "https://[::1]/jwks", "https://[::ffff:127.0.0.1]/jwks", "https://localhost/jwks"):
        with pytest.raises(IDPCommunicationError, match="private or reserved"):
            fetch.fetch_json(url, purpose="discovery")


def test_certificate_from_an_unknown_authority_is_refused(settings, issuer):
    settings.IAM_FEDERATION_CA_BUNDLE = None
    with pytest.raises(IDPCommunicationError, match="SSL|certificate"):
        fetch.fetch_json(f"{issuer.url}/.well-known/openid-configuration", purpose="discovery")


def test_malformed_urls_are_refused_without_a_failure(root_caller, settings):
    with pytest.raises(InvalidInput):
        oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://[::1", client_id_list=["a"])
    with pytest.raises(IDPCommunicationError):
        fetch.fetch_json("https://[::1", purpose="discovery")
