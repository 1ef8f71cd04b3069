"""Sign in with a company identity provider: OIDC authorization code with PKCE, SAML POST to the ACS URL, then
a role chosen among those whose trust policies admit the person. The checks are the services'."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from iam_console.callers import Caller, caller_from_request
from iam_console.console import role_sessions
from iam_console.console.federated_user import FEDERATED_SESSION_KEY
from iam_console.console.mixins import start_session
from iam_console.console.views_portal import PORTAL_SESSION_KEY
from iam_console.errors import IAMError, InvalidIdentityToken
from identitycenter.services import portal_federation
from identitycenter.services.portal import PortalSignInFailed, SignedIn
from sts.federation import console as federation
from sts.federation.principals import ANONYMOUS

PENDING_KEY = "iam_federated_pending"  # state, nonce and PKCE verifier of a sign-in under way
IDENTITY_KEY = "iam_federated_verified"  # the verified identity, waiting for the role choice


def _anonymous_caller(request: HttpRequest) -> Caller:
    return caller_from_request(request, via="console", principal=ANONYMOUS)


def _refused(request: HttpRequest, message: str, status: int = 400, *, error: IAMError | None = None,
             identity: federation.ConsoleIdentity | None = None) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    request.session.pop(IDENTITY_KEY, None)
    if error is not None:
        federation.record_console_login(_anonymous_caller(request), identity=identity, error=error)
    return render(request, "console/federation/sign_in_error.html", {"message": message}, status=status)


@method_decorator(never_cache, name="dispatch")
class FederatedSignInStartView(View):
    """Send the browser to the IdP: OIDC with state, nonce and a PKCE challenge; SAML to the IdP's start page."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            option = federation.sign_in_provider(pk)
            if option.saml_provider_id:
                if request.GET.get("for") == "portal":  # SP-initiated, answered at the portal's own ACS URL
                    return redirect(federation.start_saml_sign_in(
                        option, request.build_absolute_uri(reverse("console:portal-saml-acs"))))
                if option.sign_in_url:  # IdP-initiated: the IdP's own start page for this application
                    return redirect(option.sign_in_url)
                return redirect(federation.start_saml_sign_in(
                    option, request.build_absolute_uri(reverse("console:saml-acs"))))
            authorization_endpoint, _token = federation.discovery_endpoints(option.oidc_provider)
        except IAMError as error:
            return _refused(request, error.message)
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        pending = {"provider": option.pk, "state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
                   "verifier": verifier, "portal": request.GET.get("for") == "portal"}
        request.session[PENDING_KEY] = pending
        query = urlencode({"response_type": "code", "client_id": option.client_id, "scope": "openid email profile",
                           "redirect_uri": request.build_absolute_uri(reverse("console:federated-callback")),
                           "state": pending["state"], "nonce": pending["nonce"], "code_challenge": challenge,
                           "code_challenge_method": "S256"})
        separator = "&" if "?" in authorization_endpoint else "?"
        return redirect(f"{authorization_endpoint}{separator}{query}")


@method_decorator(never_cache, name="dispatch")
class FederatedCallbackView(View):
    """The IdP's redirect back: check the state, trade the code (with the PKCE verifier) for a verified ID token."""

    def get(self, request: HttpRequest) -> HttpResponse:
        pending = request.session.pop(PENDING_KEY, None)
        state, code = request.GET.get("state", ""), request.GET.get("code", "")
        if not pending or not hmac.compare_digest(pending["state"].encode(), state.encode()) or not code:
            return _refused(request, "This sign-in was not started here, or it was already used. Start again.")
        try:
            option = federation.sign_in_provider(pending["provider"])
            id_token = federation.exchange_code(
                option, code=code[:2048], verifier=pending["verifier"],
                redirect_uri=request.build_absolute_uri(reverse("console:federated-callback")))
            identity = federation.identity_from_id_token(option, id_token, pending["nonce"])
        except IAMError as error:
            return _refused(request, f"{error.code}: {error.message}", error=error)
        if pending.get("portal"):
            return _portal_sign_in(request, identity)
        request.session[IDENTITY_KEY] = identity.as_session()
        return redirect("console:federated-roles")


def _portal_sign_in(request: HttpRequest, identity: federation.ConsoleIdentity) -> HttpResponse:
    """The access portal's sign-in through the IdP: the person the identity is matched to, in the portal."""
    try:
        signed_in = portal_federation.sign_in_federated(caller=_anonymous_caller(request), identity=identity)
    except IAMError as error:
        return _refused(request, error.message, 403)
    _enter_portal(request, signed_in)
    return redirect("console:portal")


def _enter_portal(request: HttpRequest, signed_in: SignedIn) -> None:
    request.session.cycle_key()
    request.session[PORTAL_SESSION_KEY] = str(signed_in.session.key)


@method_decorator(csrf_exempt, name="dispatch")  # the IdP posts here cross-site; the response is its own proof
@method_decorator(never_cache, name="dispatch")
class SAMLConsumerView(View):
    """SAML POST binding: a signed response from a provider shown on the sign-in page."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        acs_url = request.build_absolute_uri(reverse("console:saml-acs"))
        try:
            identity = federation.identity_from_saml(_saml_option(request), request.POST.get("SAMLResponse", ""),
                                                     acs_url)
        except IAMError as error:
            return _refused(request, f"{error.code}: {error.message}", error=error)
        request.session[IDENTITY_KEY] = identity.as_session()
        return redirect("console:federated-roles")


@method_decorator(csrf_exempt, name="dispatch")  # the IdP posts here cross-site; the response is its own proof
@method_decorator(never_cache, name="dispatch")
class PortalSAMLConsumerView(View):
    """The access portal's SAML ACS URL: the verified assertion signs in the one person of the identity store it
    names (a separate URL, as the IdP's POST carries no session to say the sign-in began at the portal)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        acs_url = request.build_absolute_uri(reverse("console:portal-saml-acs"))
        try:
            signed_in = portal_federation.sign_in_saml(
                caller=_anonymous_caller(request), sign_in=_saml_option(request),
                saml_assertion=request.POST.get("SAMLResponse", ""), acs_url=acs_url)
        except PortalSignInFailed as error:
            return _refused(request, error.message, 403)
        except IAMError as error:
            return _refused(request, f"{error.code}: {error.message}")
        _enter_portal(request, signed_in)
        return redirect("console:portal")


def _saml_option(request: HttpRequest):
    """The sign-in option RelayState names (its provider's ARN), else the only SAML one."""
    options = [o for o in federation.sign_in_providers(None) if o.saml_provider_id]
    named = next((o for o in options if o.saml_provider.arn == request.POST.get("RelayState", "")), None)
    if named is not None:
        return named
    if len(options) == 1:
        return options[0]
    raise InvalidIdentityToken("Name the provider in RelayState (its ARN): several SAML providers sign in here.")


@method_decorator([csrf_protect, never_cache], name="dispatch")
class FederatedRoleChoiceView(View):
    """The roles whose trust policies admit the person; choosing one starts the console's role session."""

    def _identity(self, request: HttpRequest) -> federation.ConsoleIdentity | None:
        data = request.session.get(IDENTITY_KEY)
        return federation.ConsoleIdentity.from_session(data) if data else None

    def get(self, request: HttpRequest) -> HttpResponse:
        identity = self._identity(request)
        if identity is None:
            return redirect("console:sign-in")
        roles = federation.admissible_roles(identity, _anonymous_caller(request))
        if len(roles) == 1:
            return self._enter(request, identity, roles[0].arn)
        return render(request, "console/federation/choose_role.html", {"identity": identity, "roles": roles},
                      status=200 if roles else 403)

    def post(self, request: HttpRequest) -> HttpResponse:
        identity = self._identity(request)
        if identity is None:
            return redirect("console:sign-in")
        return self._enter(request, identity, request.POST.get("role_arn", "")[:2048])

    def _enter(self, request: HttpRequest, identity: federation.ConsoleIdentity, role_arn: str) -> HttpResponse:
        caller = _anonymous_caller(request)
        assume = (federation.console_assume_with_web_identity if identity.kind == "oidc"
                  else federation.console_assume_with_saml)
        try:
            result = assume(caller=caller, identity=identity, role_arn=role_arn)
        except IAMError as error:  # the assume operation has audited the refusal itself
            return _refused(request, f"{error.code}: {error.message}",
                            status=403 if error.code == "AccessDenied" else 400)
        if request.user.is_authenticated:
            logout(request)  # a federated sign-in replaces whoever was signed in in this browser
        request.session.cycle_key()
        request.session.pop(IDENTITY_KEY, None)
        request.session[FEDERATED_SESSION_KEY] = {"provider_arn": identity.provider_arn, "subject": identity.subject,
                                                  "session_name": identity.session_name}
        role = result.assumed.session.role
        role_sessions.start(request, access_key_id=result.assumed.access_key_id, role_name=role.role_name,
                            display_name=f"{role.role_name} ({identity.session_name})"[:64], color="blue")
        start_session(request)
        federation.record_console_login(caller, identity=identity, result=result)
        return redirect("console:dashboard")
