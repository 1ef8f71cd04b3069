"""A person signs in through the company IdP (the federation tests' issuer) in Chromium and lands in a role.

Here, not in tests/federation/, so that it shares this directory's one Playwright instance.
"""

from __future__ import annotations

import pytest

from tests.federation.conftest import issuer, issuer_server, tls  # noqa: F401 - the test issuer
from tests.federation.test_console import CONSOLE_CLIENT, federated_trust

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_with_the_company_idp_lands_in_a_role(browser, live_server, issuer, root_caller):  # noqa: F811
    from directory.services import role_policies, roles
    from sts.federation import console, oidc_providers

    provider = oidc_providers.create_open_id_connect_provider(caller=root_caller, url=issuer.url,
                                                              client_id_list=[CONSOLE_CLIENT])
    console.set_console_sign_in_provider(caller=root_caller, provider_arn=provider.arn, label="Acme SSO",
                                         client_id=CONSOLE_CLIENT)
    issuer.sign_in_claims = {"sub": "alice", "email": "alice@acme.example"}
    for name in ("readers", "auditors"):
        roles.create_role(caller=root_caller, role_name=name,
                          assume_role_policy_document=federated_trust(provider, issuer))
        role_policies.attach_role_policy(caller=root_caller, role_name=name,
                                         policy_arn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")

    # The issuer's certificate comes from the tests' own CA, which this browser does not know.
    context = browser.new_context(base_url=live_server.url, ignore_https_errors=True)
    page = context.new_page()
    try:
        page.goto("/sign-in/")
        page.get_by_role("link", name="Sign in with Acme SSO").click()
        page.wait_for_url("**/sign-in/federated/roles/")
        page.get_by_label("auditors").check()
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        bar = page.locator("#role-bar")
        assert "auditors" in bar.inner_text() and "alice@acme.example" in bar.inner_text()
        page.goto("/users/")
        assert page.locator("h1").inner_text() == "Users"
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/sign-in/**")
        page.goto("/users/")
        assert "/sign-in/" in page.url
    finally:
        context.close()
