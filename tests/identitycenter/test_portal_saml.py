"""Signing in to the access portal through a SAML identity provider (the test IdP's really signed responses): the
verified assertion's NameID and attributes are matched to one active person of the identity store, who lands in
their portal; nobody, or several people, are refused with a page saying so; every outcome is audited."""

from __future__ import annotations

import base64
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from lxml import etree

from audit.models import AuditEvent
from identitystore.services import users
from identitystore.services.store import identity_store_of
from sts.federation import console as sign_in_options
from sts.federation import saml_providers
from tests.federation.saml_idp import LocalSAMLIdP
from tests.identitycenter.test_portal import setup  # noqa: F401 - the portal's fixture

pytestmark = pytest.mark.django_db

ACS = "http://testserver/start/saml/acs/"


@pytest.fixture
def idp(root_caller):
    idp = LocalSAMLIdP()
    provider = saml_providers.create_saml_provider(caller=root_caller, name="Corp",
                                                   saml_metadata_document=idp.metadata())
    option = sign_in_options.set_console_sign_in_provider(caller=root_caller, provider_arn=provider.arn,
                                                          label="Corp SSO")
    return idp, provider, option


def _set(root_caller, user_id: str, path: str, value) -> None:
    store = identity_store_of(root_caller.account_id)
    users.update_user(caller=root_caller, identity_store_id=store.id, user_id=user_id,
                      operations=[{"AttributePath": path, "AttributeValue": value}])


def _sign_in(idp, **response) -> tuple[Client, object]:
    """From the portal's sign-in button through the IdP (SP-initiated) back to the portal's ACS URL."""
    idp, provider, option = idp
    browser = Client()
    page = browser.get("/start/").content.decode()
    link = f"/sign-in/federated/{option.pk}/?for=portal"
    assert f'href="{link}"' in page and "Sign in with Corp SSO" in page
    start = browser.get(link)
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.entity_id}/sso?")
    query = parse_qs(urlsplit(start["Location"]).query)
    request = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15))
    assert request.get("AssertionConsumerServiceURL") == ACS
    answer = idp.response(roles=[], audience=ACS, recipient=ACS, in_response_to=request.get("ID"), **response)
    return browser, browser.post("/start/saml/acs/", {"SAMLResponse": answer, "RelayState": provider.arn})


@pytest.mark.parametrize("rule", ["user-name", "email", "external-id"])
def test_a_saml_assertion_signs_its_person_in_to_the_portal(setup, idp, root_caller, rule):  # noqa: F811
    _set(root_caller, setup["ana"], "Emails", [{"Value": "ana@corp.example", "Primary": True}])
    if rule == "external-id":
        _set(root_caller, setup["ana"], "ExternalIds", [{"Issuer": idp[0].entity_id, "Id": "00u-7f3a"}])
    response = {"user-name": {"name_id": "ana", "session_name": None},
                "email": {"name_id": "x-1", "session_name": None, "attributes": {"email": ["ana@corp.example"]}},
                "external-id": {"name_id": "00u-7f3a", "session_name": None}}[rule]
    browser, landed = _sign_in(idp, **response)
    assert landed.status_code == 302 and landed["Location"] == "/start/", landed.content[:300]
    page = browser.get("/start/").content.decode()
    assert f'data-account="{setup["team"].account.pk}" data-role="ReadOnly"' in page
    event = AuditEvent.objects.filter(event_name="Authenticate").latest("id")
    assert event.outcome == AuditEvent.Outcome.SUCCESS


def test_an_assertion_naming_nobody_or_several_people_is_refused(setup, idp, people, root_caller):  # noqa: F811
    browser, refused = _sign_in(idp, name_id="mallory", session_name=None)
    assert refused.status_code == 403 and b"no single active person" in refused.content
    assert b'id="portal-sign-in"' in browser.get("/start/").content
    failed = AuditEvent.objects.filter(event_name="Authenticate").latest("id")
    assert failed.outcome == AuditEvent.Outcome.FAILURE and failed.error_code == "AuthenticationFailed"
    bea = people.user("bea")
    for person in (setup["ana"], bea):
        _set(root_caller, person, "Emails", [{"Value": "team@corp.example"}])
    _, ambiguous = _sign_in(idp, name_id="x-2", session_name=None, attributes={"email": ["team@corp.example"]})
    assert ambiguous.status_code == 403


def test_a_forged_or_replayed_response_signs_nobody_in(setup, idp):  # noqa: F811
    from tests.federation.saml_idp import Credentials

    idp_, provider, _ = idp
    forged = idp_.response(roles=[], audience=ACS, recipient=ACS, name_id="ana", signer=Credentials("intruder"))
    refused = Client().post("/start/saml/acs/", {"SAMLResponse": forged, "RelayState": provider.arn})
    assert refused.status_code == 400 and b"InvalidIdentityToken" in refused.content
    failed = AuditEvent.objects.filter(event_name="Authenticate").latest("id")
    assert failed.outcome == AuditEvent.Outcome.FAILURE and failed.error_code == "InvalidIdentityToken"
    assert forged not in str(failed.request_parameters)  # the response itself is never kept
    good = idp_.response(roles=[], audience=ACS, recipient=ACS, name_id="ana", session_name=None)
    assert Client().post("/start/saml/acs/", {"SAMLResponse": good, "RelayState": provider.arn}).status_code == 302
    again = Client().post("/start/saml/acs/", {"SAMLResponse": good, "RelayState": provider.arn})
    assert again.status_code == 400 and b"already been used" in again.content
    elsewhere = idp_.response(roles=[], audience="http://testserver/sign-in/saml/acs/", name_id="ana",
                              recipient="http://testserver/sign-in/saml/acs/")
    assert Client().post("/start/saml/acs/", {"SAMLResponse": elsewhere,
                                              "RelayState": provider.arn}).status_code == 400
