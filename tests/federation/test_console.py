"""The console's identity-provider pages and sign-in through a company IdP (the real test issuer and SAML IdP)."""

from __future__ import annotations

import json
import ssl
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.test import Client

from audit.models import AuditEvent
from directory.services import role_policies, roles
from sts.federation import console as sign_in_options
from sts.federation import oidc_providers, saml_providers
from sts.models import RoleSession
from tests.federation.saml_idp import LocalSAMLIdP

pytestmark = pytest.mark.django_db
CONSOLE_CLIENT = "console-client"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ACS = "http://testserver/sign-in/saml/acs/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def follow_issuer(issuer, location: str) -> str:
    """Visit the issuer's authorize URL as the browser would; returns where it sends the browser back."""
    context = ssl.create_default_context(cafile=issuer.tls.ca_file)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        opener.open(location)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 302
        return redirect.headers["Location"]
    raise AssertionError("the issuer did not redirect")


def federated_trust(provider, issuer, sub: str = "alice") -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider.arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer.host_path}:aud": CONSOLE_CLIENT, f"{issuer.host_path}:sub": sub}}}]})


@pytest.fixture
def console_provider(issuer, root_caller):
    provider = oidc_providers.create_open_id_connect_provider(caller=root_caller, url=issuer.url,
                                                              client_id_list=[CONSOLE_CLIENT])
    option = sign_in_options.set_console_sign_in_provider(caller=root_caller, provider_arn=provider.arn,
                                                          label="Acme SSO", client_id=CONSOLE_CLIENT)
    issuer.sign_in_claims = {"sub": "alice", "email": "alice@acme.example"}
    return provider, option


@pytest.fixture
def readers(console_provider, issuer, root_caller):
    provider, _ = console_provider
    role = roles.create_role(caller=root_caller, role_name="readers",
                             assume_role_policy_document=federated_trust(provider, issuer))
    role_policies.attach_role_policy(caller=root_caller, role_name="readers", policy_arn=READ_ONLY)
    return role


def oidc_sign_in(client: Client, issuer, option):
    start = client.get(f"/sign-in/federated/{option.pk}/")
    assert start.status_code == 302 and start["Location"].startswith(f"{issuer.url}/authorize?")
    query = dict(part.split("=", 1) for part in urlsplit(start["Location"]).query.split("&"))
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["nonce"]
    back = urlsplit(follow_issuer(issuer, start["Location"]))
    return client.get(f"{back.path}?{back.query}")


def test_sign_in_page_offers_the_configured_provider(console_provider):
    page = Client().get("/sign-in/").content.decode()
    assert "Sign in with Acme SSO" in page


def test_oidc_sign_in_lands_in_the_only_admitting_role_with_the_role_bar(console_provider, readers, issuer):
    client = Client()
    _provider, option = console_provider
    callback = oidc_sign_in(client, issuer, option)
    assert callback.status_code == 302 and callback["Location"] == "/sign-in/federated/roles/"
    entered = client.get(callback["Location"])
    assert entered.status_code == 302 and entered["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    page = dashboard.content.decode()
    assert 'id="role-bar"' in page and "readers" in page and "alice@acme.example" in page
    assert client.get("/users/").status_code == 200  # IAMReadOnlyAccess through the role session
    session = RoleSession.objects.get(role=readers)
    assert session.federated_provider == console_provider[0].arn and session.session_name == "alice@acme.example"
    login = AuditEvent.objects.get(event_name="ConsoleLogin")
    assert login.actor_arn == f"{console_provider[0].arn}:alice" and login.via == "console"
    assert AuditEvent.objects.filter(event_name="AssumeRoleWithWebIdentity", outcome="Success").count() == 1
    # Pages about an IAM user's own credentials are not for a federated sign-in.
    assert client.get("/my/security-credentials/").status_code == 403
    # Sign-out ends it.
    client.post("/sign-out/")
    assert client.get("/").status_code == 302


def test_two_admitting_roles_are_offered_and_one_is_chosen(console_provider, readers, issuer, root_caller):
    provider, option = console_provider
    roles.create_role(caller=root_caller, role_name="auditors",
                      assume_role_policy_document=federated_trust(provider, issuer))
    roles.create_role(caller=root_caller, role_name="bob-only",
                      assume_role_policy_document=federated_trust(provider, issuer, sub="bob"))
    client = Client()
    choice = client.get(oidc_sign_in(client, issuer, option)["Location"])
    page = choice.content.decode()
    assert choice.status_code == 200 and "auditors" in page and "readers" in page and "bob-only" not in page
    bob_only = roles.get_role(caller=root_caller, role_name="bob-only")
    refused = client.post("/sign-in/federated/roles/", {"role_arn": bob_only.arn})
    assert refused.status_code == 403
    client = Client()
    client.get(oidc_sign_in(client, issuer, option)["Location"])
    entered = client.post("/sign-in/federated/roles/", {"role_arn": readers.arn})
    assert entered.status_code == 302 and "Role <code>readers</code>" in client.get("/").content.decode()


def test_no_admitting_role_is_a_clear_refusal(console_provider, issuer):
    client = Client()
    response = client.get(oidc_sign_in(client, issuer, console_provider[1])["Location"])
    assert response.status_code == 403 and "No role" in response.content.decode()
    assert client.get("/").status_code == 302


def test_callback_with_a_forged_state_is_refused(console_provider, readers, issuer):
    client = Client()
    client.get(f"/sign-in/federated/{console_provider[1].pk}/")
    response = client.get("/sign-in/federated/callback/?code=abc&state=forged")
    assert response.status_code == 400 and client.get("/").status_code == 302


def test_callback_without_a_started_sign_in_is_refused(console_provider):
    assert Client().get("/sign-in/federated/callback/?code=abc&state=x").status_code == 400


def test_revoked_role_session_ends_the_federated_sign_in(console_provider, readers, issuer, root_caller):
    from sts.services import revoke_role_sessions

    client = Client()
    client.get(oidc_sign_in(client, issuer, console_provider[1])["Location"])
    assert client.get("/").status_code == 200
    revoke_role_sessions(caller=root_caller, role_name="readers")
    assert client.get("/").status_code == 302


def test_saml_sign_in_through_the_acs_url(root_caller):
    idp = LocalSAMLIdP()
    provider = saml_providers.create_saml_provider(caller=root_caller, name="Corp",
                                                   saml_metadata_document=idp.metadata())
    sign_in_options.set_console_sign_in_provider(caller=root_caller, provider_arn=provider.arn, label="Corp",
                                                 sign_in_url="https://idp.example.test/start")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider.arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": ACS}}}]})
    role = roles.create_role(caller=root_caller, role_name="engineers", assume_role_policy_document=trust)
    response = idp.response(roles=[f"{role.arn},{provider.arn}"], audience=ACS, recipient=ACS)
    client = Client(enforce_csrf_checks=True)
    posted = client.post("/sign-in/saml/acs/", {"SAMLResponse": response})
    assert posted.status_code == 302, posted.content
    entered = client.get(posted["Location"])
    assert entered.status_code == 302 and client.get("/").status_code == 200
    replay = Client().post("/sign-in/saml/acs/", {"SAMLResponse": response})
    assert replay.status_code == 400 and "already been used" in replay.content.decode()
    refused = AuditEvent.objects.get(event_name="ConsoleLogin", outcome=AuditEvent.Outcome.FAILURE)
    assert refused.error_code == "InvalidIdentityToken" and refused.actor_arn == "anonymous"
    assert AuditEvent.objects.get(event_name="ConsoleLogin", outcome=AuditEvent.Outcome.SUCCESS).actor_arn == \
        f"{provider.arn}:alice@example.com"


def test_provider_pages_list_create_and_show_trusting_roles(root_console, issuer, root_caller):
    created = root_console.post("/identity-providers/create/oidc/", {"url": issuer.url, "client_ids": CONSOLE_CLIENT,
                                                                     "action": "fetch"})
    assert created.status_code == 200 and f"{issuer.url}/jwks" in created.content.decode()
    created = root_console.post("/identity-providers/create/oidc/", {"url": issuer.url, "client_ids": CONSOLE_CLIENT,
                                                                     "action": "create"})
    assert created.status_code == 302
    provider = oidc_providers.list_open_id_connect_providers(caller=root_caller)[0]
    roles.create_role(caller=root_caller, role_name="readers",
                      assume_role_policy_document=federated_trust(provider, issuer))
    detail = root_console.get(created["Location"]).content.decode()
    assert provider.arn in detail and "readers" in detail
    shown = root_console.post(created["Location"], {"action": "show", "label": "Acme", "client_id": CONSOLE_CLIENT})
    assert shown.status_code == 302
    assert "Sign in with Acme" in Client().get("/sign-in/").content.decode()
    listed = root_console.get("/identity-providers/").content.decode()
    assert issuer.host_path in listed and "Shown" in listed
    wizard = root_console.get(f"/roles/create/?template=web_identity&provider={provider.arn}").content.decode()
    assert f"{issuer.host_path}:aud" in wizard and "AssumeRoleWithWebIdentity" in wizard


def test_saml_metadata_upload(root_console):
    from django.core.files.uploadedfile import SimpleUploadedFile

    idp = LocalSAMLIdP()
    created = root_console.post("/identity-providers/create/saml/", {
        "name": "Corp", "metadata": SimpleUploadedFile("idp.xml", idp.metadata().encode())})
    assert created.status_code == 302, created.content
    refused = root_console.post("/identity-providers/create/saml/", {
        "name": "Bad", "metadata": SimpleUploadedFile("idp.xml", idp.metadata(credentials=[]).ljust(1200).encode())})
    assert refused.status_code == 400 and "no signing certificate" in refused.content.decode()


def test_provider_pages_refuse_a_user_without_permission(user_console, console_provider):
    _user, client = user_console()
    assert client.get("/identity-providers/").status_code == 403
    assert client.get(f"/identity-providers/detail/{console_provider[0].arn}").status_code == 403


def test_saml_sp_initiated_sign_in_answers_the_request_once(root_caller):
    import base64
    import zlib
    from urllib.parse import parse_qs

    from lxml import etree

    idp = LocalSAMLIdP()
    provider = saml_providers.create_saml_provider(caller=root_caller, name="Corp",
                                                   saml_metadata_document=idp.metadata())
    option = sign_in_options.set_console_sign_in_provider(caller=root_caller, provider_arn=provider.arn, label="Corp")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider.arn}, "Action": "sts:AssumeRoleWithSAML"}]})
    role = roles.create_role(caller=root_caller, role_name="engineers", assume_role_policy_document=trust)
    client = Client()
    start = client.get(f"/sign-in/federated/{option.pk}/")
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.entity_id}/sso?")
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["RelayState"] == [provider.arn]
    request = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15))
    assert request.get("AssertionConsumerServiceURL") == ACS
    answer = idp.response(roles=[f"{role.arn},{provider.arn}"], audience=ACS, recipient=ACS,
                          in_response_to=request.get("ID"))
    posted = Client().post("/sign-in/saml/acs/", {"SAMLResponse": answer, "RelayState": provider.arn})
    assert posted.status_code == 302, posted.content
    again = idp.response(roles=[f"{role.arn},{provider.arn}"], audience=ACS, recipient=ACS,
                         in_response_to=request.get("ID"))
    refused = Client().post("/sign-in/saml/acs/", {"SAMLResponse": again, "RelayState": provider.arn})
    assert refused.status_code == 400 and "did not make" in refused.content.decode()
