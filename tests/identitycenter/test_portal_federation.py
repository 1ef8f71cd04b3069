"""Signing in to the access portal through the company identity provider (the real test OIDC issuer): the
verified identity is matched to one active person of the identity store, by external id, user name or e-mail
address, and lands in that person's portal; an identity that matches nobody (or is ambiguous) is refused."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client

from identitystore.services import users
from identitystore.services.store import identity_store_of
from tests.federation.conftest import issuer, issuer_server, tls  # noqa: F401 - the test issuer
from tests.federation.test_console import CONSOLE_CLIENT, console_provider, follow_issuer  # noqa: F401
from tests.identitycenter.test_portal import setup  # noqa: F401 - the portal's fixture

pytestmark = pytest.mark.django_db


def portal_idp_sign_in(browser: Client, issuer, option):  # noqa: F811
    page = browser.get("/start/").content.decode()
    link = f"/sign-in/federated/{option.pk}/?for=portal"
    assert f'href="{link}"' in page and "Sign in with Acme SSO" in page
    start = browser.get(link)
    assert start.status_code == 302 and start["Location"].startswith(f"{issuer.url}/authorize?")
    back = urlsplit(follow_issuer(issuer, start["Location"]))
    return browser.get(f"{back.path}?{back.query}")


@pytest.mark.parametrize("claims", [{"sub": "ana"}, {"sub": "x-1", "email": "ana@corp.example"},
                                    {"sub": "idp-7f3a"}], ids=["user-name", "email", "external-id"])
def test_the_idp_signs_a_person_in_to_the_portal(setup, console_provider, issuer, root_caller,  # noqa: F811
                                                 claims):
    store = identity_store_of(root_caller.account_id)
    provider, option = console_provider
    users.update_user(caller=root_caller, identity_store_id=store.id, user_id=setup["ana"], operations=[
        {"AttributePath": "Emails", "AttributeValue": [{"Value": "ana@corp.example", "Primary": True}]}])
    if claims["sub"] == "idp-7f3a":
        users.update_user(caller=root_caller, identity_store_id=store.id, user_id=setup["ana"], operations=[
            {"AttributePath": "ExternalIds", "AttributeValue": [{"Issuer": issuer.url, "Id": "idp-7f3a"}]}])
    issuer.sign_in_claims = claims
    browser = Client()
    landed = portal_idp_sign_in(browser, issuer, option)
    assert landed.status_code == 302 and landed["Location"] == "/start/", landed.content[:300]
    page = browser.get("/start/").content.decode()
    assert f'data-account="{setup["team"].account.pk}" data-role="ReadOnly"' in page


def test_an_identity_that_matches_nobody_is_refused(setup, console_provider, issuer):  # noqa: F811
    _, option = console_provider
    issuer.sign_in_claims = {"sub": "mallory", "email": "mallory@elsewhere.example"}
    browser = Client()
    refused = portal_idp_sign_in(browser, issuer, option)
    assert refused.status_code == 403 and b"no single active person" in refused.content
    assert b'id="portal-sign-in"' in browser.get("/start/").content
