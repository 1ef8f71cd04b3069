"""The access portal at /start/ (the start URL): a person of the identity store signs in once, sees the accounts and
permission sets assigned to them, opens the console in one of them, or takes credentials for the CLI."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts.selectors import management_account_id
from directory.models import MFARequirement
from iam_console.callers import caller_from_request
from iam_console.console import role_sessions
from iam_console.console.federated_user import FEDERATED_SESSION_KEY
from iam_console.console.mixins import start_session
from iam_console.errors import IAMError
from identitycenter.errors import AccessDeniedException
from identitycenter.models import PortalSession
from identitycenter.services import oidc, portal, portal_mfa, portal_mfa_devices
from sts.federation import console as federation
from sts.federation.principals import ANONYMOUS

PORTAL_SESSION_KEY = "iam_portal_session"
PORTAL_PENDING_KEY = "iam_portal_pending"  # a right password waiting for its MFA step
SSO_REGION = "us-east-1"


def _anonymous(request: HttpRequest):
    return caller_from_request(request, via="console", principal=ANONYMOUS)


def _portal_session(request: HttpRequest) -> PortalSession | None:
    session = portal.live_session(request.session.get(PORTAL_SESSION_KEY))
    if session is None:
        request.session.pop(PORTAL_SESSION_KEY, None)
    return session


def _identity_providers() -> list:
    """The company identity providers (OIDC or SAML) people may sign in to the portal with: the console's sign-in
    options of the management account."""
    return federation.sign_in_providers(management_account_id())


def start_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("console:portal"))


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalView(View):
    """Signed out: the sign-in form. Signed in: every account and permission set the person may open."""

    def get(self, request: HttpRequest) -> HttpResponse:
        session = _portal_session(request)
        if session is None:
            return render(request, "console/portal/sign_in.html", {"next": request.GET.get("next", "")[:256],
                                                                   "providers": _identity_providers()})
        accesses = portal.accesses_of(session.user)
        return render(request, "console/portal/accounts.html", {"person": session.user, "accesses": accesses})

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            signed_in = portal.sign_in(caller=_anonymous(request), user_name=request.POST.get("user_name", "")[:128],
                                       password=request.POST.get("password", "")[:512])
        except IAMError as error:
            response = render(request, "console/portal/sign_in.html",
                              {"error": error.message, "user_name": request.POST.get("user_name", "")},
                              status=429 if error.code == "Throttling" else 401)
            if getattr(error, "retry_after", None):
                response["Retry-After"] = str(error.retry_after)
            return response
        request.session.cycle_key()
        following = request.POST.get("next", "")
        if signed_in.session is None:  # the MFA step is next: nobody is signed in until it succeeds
            request.session[PORTAL_PENDING_KEY] = {"pending": signed_in.pending, "next": following[:256]}
            return redirect("console:portal-mfa")
        return _signed_in(request, signed_in.session, following)


def _signed_in(request: HttpRequest, session: PortalSession, following: str) -> HttpResponse:
    request.session.pop(PORTAL_PENDING_KEY, None)
    request.session[PORTAL_SESSION_KEY] = str(session.key)
    # Only a page of the portal itself: never an address a link could smuggle in.
    return redirect(following if following.startswith("/start/device/") else "console:portal")


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalSecondStepView(View):
    """After a right password: the code of the person's authenticator app, or, where the account's MFA requirement
    covers everyone and the person has none, registering one (its secret shown here once) with its first code."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.pending = (request.session.get(PORTAL_PENDING_KEY) or {})
        try:
            self.user, self.step = portal.pending_sign_in(self.pending.get("pending", ""))
        except IAMError as error:
            request.session.pop(PORTAL_PENDING_KEY, None)
            return render(request, "console/portal/sign_in.html", {"error": error.message}, status=401)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
        registering = portal.start_mfa_registration(self.pending["pending"]) if self.step == portal_mfa.ENROL \
            else None
        return render(request, "console/portal/second_step.html",
                      {"person": self.user, "registering": registering, "error": error}, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            signed_in = portal.finish_sign_in(caller=_anonymous(request), pending_token=self.pending["pending"],
                                              authentication_code=request.POST.get("code", "")[:16])
        except IAMError as error:
            response = self._page(request, error.message, 429 if error.code == "Throttling" else 401)
            if getattr(error, "retry_after", None):
                response["Retry-After"] = str(error.retry_after)
            return response
        request.session.cycle_key()
        return _signed_in(request, signed_in.session, self.pending.get("next", ""))


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalInvitationView(View):
    """A person's one-time link: they choose their portal password (the management account's password rules)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        user = portal.invitation_user(token)
        return render(request, "console/portal/invitation.html", {"person": user}, status=200 if user else 404)

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        password = request.POST.get("password", "")[:512]
        if password != request.POST.get("confirm_password", "")[:512]:
            return render(request, "console/portal/invitation.html",
                          {"person": portal.invitation_user(token), "error": "The passwords do not match."},
                          status=400)
        try:
            portal.accept_invitation(caller=_anonymous(request), token=token, password=password)
        except IAMError as error:
            return render(request, "console/portal/invitation.html",
                          {"person": portal.invitation_user(token), "error": error.message},
                          status=403 if isinstance(error, AccessDeniedException) else 400)
        return render(request, "console/portal/sign_in.html", {"notice": "Your password is set. Sign in."})


class _SignedIn(View):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.portal_session = _portal_session(request)
        if self.portal_session is None:
            return redirect("console:portal")
        return super().dispatch(request, *args, **kwargs)

    def credentials(self, request: HttpRequest, account_id: str, role_name: str):
        caller = portal.person_caller(self.portal_session.user, source_ip=request.META.get("REMOTE_ADDR"))
        return portal.get_role_credentials(caller=caller, session=self.portal_session, account_id=account_id[:12],
                                           role_name=role_name[:64])


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalConsoleView(_SignedIn):
    """Open the console in the role session of an account and permission set (the role bar shows both)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            granted = self.credentials(request, request.POST.get("account_id", ""), request.POST.get("role", ""))
        except IAMError as error:
            return render(request, "console/portal/error.html", {"message": error.message}, status=403)
        person = self.portal_session.user
        portal_key = request.session.get(PORTAL_SESSION_KEY)
        if request.user.is_authenticated:
            logout(request)  # the console now acts as this role session, whoever was signed in before
        request.session.cycle_key()
        request.session[PORTAL_SESSION_KEY] = portal_key
        session = granted.assumed.session
        request.session[FEDERATED_SESSION_KEY] = {"provider_arn": session.federated_provider,
                                                  "subject": person.user_name, "session_name": person.user_name}
        role_sessions.start(request, access_key_id=granted.assumed.access_key_id, role_name=session.role.role_name,
                            display_name=f"{granted.role_name} @ {granted.account_id}"[:64], color="green")
        start_session(request)
        return redirect("console:dashboard")


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalCredentialsView(_SignedIn):
    """Credentials for the CLI: shell variables of a fresh role session, and a ~/.aws/config profile."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            granted = self.credentials(request, request.POST.get("account_id", ""), request.POST.get("role", ""))
        except IAMError as error:
            return render(request, "console/portal/error.html", {"message": error.message}, status=403)
        return render(request, "console/portal/credentials.html", {
            "granted": granted, "start_url": start_url(request), "region": SSO_REGION,
            "endpoint": request.build_absolute_uri("/").rstrip("/"),
            "profile": f"{granted.role_name}-{granted.account_id}"})


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalSignOutView(View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        portal.sign_out(request.session.get(PORTAL_SESSION_KEY))
        request.session.pop(PORTAL_SESSION_KEY, None)
        return redirect("console:portal")


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalDeviceView(View):
    """The verification page of the device flow (`aws sso login`): the person, signed in, allows the code their
    terminal shows; a browser not signed in signs in first and comes back here."""

    def get(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("user_code", "")[:16]
        if _portal_session(request) is None:
            target = f"{reverse('console:portal-device')}?{urlencode({'user_code': code})}"
            return redirect(f"{reverse('console:portal')}?{urlencode({'next': target})}")
        return render(request, "console/portal/device.html", {"user_code": code,
                                                              "device": oidc.pending_device(code) if code else None})

    def post(self, request: HttpRequest) -> HttpResponse:
        session = _portal_session(request)
        if session is None:
            return redirect("console:portal")
        code = request.POST.get("user_code", "")[:16]
        try:
            device = oidc.approve_device(user_code=code, session=session)
        except IAMError as error:
            return render(request, "console/portal/device.html", {"user_code": code, "error": error.message},
                          status=400)
        return render(request, "console/portal/device.html", {"approved": device})


@method_decorator([csrf_protect, never_cache], name="dispatch")
class PortalMfaDeviceView(_SignedIn):
    """The person's own authenticator app: register one (QR code and secret, confirmed by its first code), replace
    it the same way, or remove it with a current code. The service decides and audits each step."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        caller = portal.person_caller(self.portal_session.user, source_ip=request.META.get("REMOTE_ADDR"))
        action, code = request.POST.get("action", ""), request.POST.get("code", "")[:16]
        try:
            if action == "register":
                return self._page(request, registering=portal_mfa_devices.start_virtual_mfa_device_registration(
                    caller=caller))
            if action == "confirm":
                portal_mfa_devices.complete_virtual_mfa_device_registration(caller=caller, authentication_code=code)
                return self._page(request, notice="Your authenticator app is registered. Use its codes to sign in.")
            if action == "remove":
                portal_mfa_devices.delete_mfa_device_for_user(caller=caller, authentication_code=code)
                return self._page(request, notice="Your authenticator app is removed.")
        except IAMError as error:
            status = {"Throttling": 429, "AccessDeniedException": 403}.get(error.code, 400)
            response = self._page(request, error=error.message, failed=action, status=status)
            if getattr(error, "retry_after", None):
                response["Retry-After"] = str(error.retry_after)
            return response
        return self._page(request, error="Choose Register, Confirm or Remove.", status=400)

    def _page(self, request: HttpRequest, *, registering=None, status: int = 200, **context) -> HttpResponse:
        person = self.portal_session.user
        if registering is None and context.get("failed") == "confirm":
            registering = portal_mfa.pending_registration(person)  # the wrong code is retyped, the QR stays
        return render(request, "console/portal/mfa_device.html", {
            "person": person, "device": portal_mfa_devices.device_of(person), "registering": registering,
            "required": portal_mfa.requirement_scope() == MFARequirement.Scope.ALL, **context}, status=status)
