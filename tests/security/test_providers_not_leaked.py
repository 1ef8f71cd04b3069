"""Identity providers are authorized like every other entity: a caller who may not act learns nothing of which
providers exist, and is refused before its input is examined (AccessDenied, not InvalidInput)."""

from __future__ import annotations

import pytest

from policies.authorization import Caller
from sts.federation import oidc_providers, saml_providers
from tests.federation.saml_idp import LocalSAMLIdP
from tests.query.conftest import QueryClient, xml_error

pytestmark = pytest.mark.django_db

OIDC = "arn:aws:iam::123456789012:oidc-provider/{}"
SAML = "arn:aws:iam::123456789012:saml-provider/{}"
EXISTING = {"oidc": OIDC.format("token.example.com"), "saml": SAML.format("Corp")}
MISSING = {"oidc": OIDC.format("nobody.example.com"), "saml": SAML.format("Nobody")}
MALFORMED_METADATA = "<md:EntityDescriptor>" + "x" * 1200  # long enough for the length rule, not metadata

# Every provider operation of the Query API, with the parameters that name the provider.
QUERY_CALLS = [
    ("GetOpenIDConnectProvider", "oidc", {}),
    ("DeleteOpenIDConnectProvider", "oidc", {}),
    ("AddClientIDToOpenIDConnectProvider", "oidc", {"ClientID": "sts.amazonaws.com"}),
    ("RemoveClientIDFromOpenIDConnectProvider", "oidc", {"ClientID": "sts.amazonaws.com"}),
    ("UpdateOpenIDConnectProviderThumbprint", "oidc", {"ThumbprintList.member.1": "a" * 40}),
    ("TagOpenIDConnectProvider", "oidc", {"Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}),
    ("UntagOpenIDConnectProvider", "oidc", {"TagKeys.member.1": "k"}),
    ("ListOpenIDConnectProviderTags", "oidc", {}),
    ("GetSAMLProvider", "saml", {}),
    ("DeleteSAMLProvider", "saml", {}),
    ("UpdateSAMLProvider", "saml", {"SAMLMetadataDocument": MALFORMED_METADATA}),
    ("TagSAMLProvider", "saml", {"Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}),
    ("UntagSAMLProvider", "saml", {"TagKeys.member.1": "k"}),
    ("ListSAMLProviderTags", "saml", {}),
]
ARN_PARAMETER = {"oidc": "OpenIDConnectProviderArn", "saml": "SAMLProviderArn"}


@pytest.fixture
def providers(root_caller):
    oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://token.example.com",
                                                   client_id_list=["sts.amazonaws.com"])
    saml_providers.create_saml_provider(caller=root_caller, name="Corp",
                                        saml_metadata_document=LocalSAMLIdP().metadata())


@pytest.fixture
def nobody(make_user):
    user = make_user("nobody", access_key=True)
    return user, QueryClient(*user.test_access_key)


@pytest.mark.parametrize(("action", "kind", "extra"), QUERY_CALLS, ids=[call[0] for call in QUERY_CALLS])
def test_query_provider_operations_answer_alike_for_existing_and_missing_providers(providers, nobody, action, kind,
                                                                                   extra):
    _, query = nobody
    answers = [xml_error(query.call(action, **{ARN_PARAMETER[kind]: arns[kind]}, **extra))[:2]
               for arns in (EXISTING, MISSING)]
    assert answers == [(403, "AccessDenied")] * 2


REST_CALLS = [("GET", "/api/v1/oidc-providers/{oidc}/", None), ("DELETE", "/api/v1/oidc-providers/{oidc}/", None),
              ("POST", "/api/v1/oidc-providers/{oidc}/client-ids/", {"client_id": "x"}),
              ("PUT", "/api/v1/oidc-providers/{oidc}/thumbprints/", {"thumbprint_list": ["a" * 40]}),
              ("GET", "/api/v1/oidc-providers/{oidc}/tags/", None),
              ("POST", "/api/v1/oidc-providers/{oidc}/tags/", {"tags": [{"key": "k", "value": "v"}]}),
              ("GET", "/api/v1/saml-providers/{saml}/", None), ("DELETE", "/api/v1/saml-providers/{saml}/", None),
              ("PUT", "/api/v1/saml-providers/{saml}/", {"saml_metadata_document": MALFORMED_METADATA}),
              ("GET", "/api/v1/saml-providers/{saml}/tags/", None),
              ("POST", "/api/v1/saml-providers/{saml}/tags/", {"tags": [{"key": "k", "value": "v"}]})]


@pytest.mark.parametrize(("method", "path", "body"), REST_CALLS, ids=[f"{m} {p}" for m, p, _ in REST_CALLS])
def test_rest_provider_routes_answer_alike_for_existing_and_missing_providers(providers, user_api, method, path,
                                                                              body):
    _, api = user_api("nobody")
    answers = []
    for arns in (EXISTING, MISSING):
        response = api.request(method, path.format(**arns), body)
        answers.append((response.status_code, response.json()["error"]["code"]))
    assert answers == [(403, "AccessDenied")] * 2


def test_a_caller_without_permission_is_refused_before_a_malformed_document_is_read(nobody, user_api):
    user, query = nobody
    status, code, message = xml_error(query.call("CreateSAMLProvider", Name="Corp",
                                                 SAMLMetadataDocument=MALFORMED_METADATA))
    assert (status, code) == (403, "AccessDenied")
    assert "iam:CreateSAMLProvider" in message
    _, api = user_api("other")
    response = api.post("/api/v1/saml-providers/", {"name": "Corp", "saml_metadata_document": MALFORMED_METADATA})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "AccessDenied")
    from iam_console.errors import AccessDenied

    with pytest.raises(AccessDenied):
        saml_providers.create_saml_provider(caller=Caller(principal=user), name="Corp",
                                            saml_metadata_document=MALFORMED_METADATA)
    with pytest.raises(AccessDenied):
        oidc_providers.create_open_id_connect_provider(caller=Caller(principal=user), url="http://not-https",
                                                       thumbprint_list=["zz"])


def test_a_caller_allowed_to_create_still_learns_what_is_wrong_with_the_document(make_user, root_caller):
    from directory.services import attachments
    from iam_console.errors import InvalidInput

    user = make_user("admin")
    attachments.attach_user_policy(caller=root_caller, user_name="admin",
                                   policy_arn="arn:aws:iam::aws:policy/IAMFullAccess")
    with pytest.raises(InvalidInput):
        saml_providers.create_saml_provider(caller=Caller(principal=user), name="Corp",
                                            saml_metadata_document=MALFORMED_METADATA)


def test_a_reader_learns_that_a_provider_does_not_exist(providers, make_user, root_caller):
    from directory.services import attachments
    from iam_console.errors import NoSuchEntity

    user = make_user("reader")
    attachments.attach_user_policy(caller=root_caller, user_name="reader",
                                   policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    with pytest.raises(NoSuchEntity):
        saml_providers.get_saml_provider(caller=Caller(principal=user), saml_provider_arn=MISSING["saml"])
    with pytest.raises(NoSuchEntity):
        oidc_providers.get_open_id_connect_provider(caller=Caller(principal=user),
                                                    open_id_connect_provider_arn=MISSING["oidc"])
