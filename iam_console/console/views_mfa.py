"""MFA in the console: the code step of sign-in, enrolment, recovery codes, and device administration."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from directory.mfa import recovery
from directory.mfa import services as mfa
from directory.mfa.devices import check_code, enabled_devices
from directory.mfa.requirement import Scope, get_mfa_requirement, update_mfa_requirement
from directory.models import Group, User
from directory.services.sign_in import (
    SignInAttempt,
    device_token_for,
    locked_for,
    second_factor_failure,
    second_factor_success,
)
from iam_console.callers import MFA_SESSION_KEY, client_ip
from iam_console.console import handoff
from iam_console.console.mixins import ConsoleView, start_session, throttled_response
from iam_console.console.plain_errors import plain_message
from iam_console.errors import IAMError, Throttling

PENDING = "iam_mfa_pending"
WRONG_CODE = "The MFA code is not valid. Enter the current code from your authenticator app."
WRONG_RECOVERY_CODE = "The recovery code is not valid or was already used."


def begin_second_factor(request: HttpRequest, user: User, target: str) -> HttpResponse:
    """After a correct password: remember who is half signed in (not signed in yet) and ask for a code."""
    request.session[PENDING] = {"user_id": user.pk, "started": int(time.time()), "next": target,
                                "auth_hash": user.get_session_auth_hash()}
    return redirect("console:sign-in-mfa")


DEVICE_COOKIE = "iam_sign_in_device"


def sign_in_attempt(request: HttpRequest) -> SignInAttempt:
    return SignInAttempt(source_ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")[:1024],
                         secure_transport=request.is_secure(), device_token=request.COOKIES.get(DEVICE_COOKIE, ""))


def remember_device(request: HttpRequest, response: HttpResponse, user: User) -> HttpResponse:
    """Mark this browser as one the user signs in from: the user's lockout will not keep it out."""
    response.set_cookie(DEVICE_COOKIE, device_token_for(user), max_age=settings.IAM_SIGN_IN_DEVICE_DAYS * 86400,
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@method_decorator([csrf_protect, never_cache], name="dispatch")
class SignInMFAView(View):
    """The code step. Until it succeeds there is no signed-in session, so nothing else is reachable."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        pending = request.session.get(PENDING)
        user = None
        if pending and time.time() - pending["started"] <= settings.IAM_MFA_SIGN_IN_SECONDS:
            user = User.objects.filter(pk=pending["user_id"]).first()
            # A password changed meanwhile ends the half-finished sign-in.
            if user is not None and user.get_session_auth_hash() != pending.get("auth_hash"):
                user = None
        if user is None:
            request.session.pop(PENDING, None)
            request.session["sign_in_notice"] = "Please sign in." if not pending else \
                "The sign-in took too long. Please sign in again."
            return redirect("console:sign-in")
        self.user, self.pending = user, pending
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(recovery_mode=request.GET.get("method") == "recovery")

    def post(self, request: HttpRequest) -> HttpResponse:
        user, attempt = self.user, sign_in_attempt(request)
        refusal = locked_for(attempt, user)
        if refusal is not None:
            return self._abandon(refusal.message)
        recovery_mode = "recovery_code" in request.POST
        if recovery_mode:
            try:
                left = mfa.use_recovery_code(caller=attempt.caller_for(user), user=user,
                                             code=request.POST.get("recovery_code", ""))
            except Throttling as error:
                return self._throttled(error, recovery_mode=True)
            if left is None:
                return self._failed(attempt, WRONG_RECOVERY_CODE, recovery_mode=True)
            second_factor_success(attempt, user, method="RecoveryCode")
            messages.warning(request, f"You signed in with a recovery code. {left} recovery code"
                                      f"{'' if left == 1 else 's'} remain{'s' if left == 1 else ''}: "
                                      "generate new ones if you are running out.")
            return self._finish()
        serial = request.POST.get("serial_number") or self._devices()[0].serial_number
        try:
            accepted = check_code(user, serial, request.POST.get("code", "").strip(), client=attempt.client)
        except Throttling as error:
            return self._throttled(error, recovery_mode=False)
        if not accepted:
            return self._failed(attempt, WRONG_CODE, recovery_mode=False)
        second_factor_success(attempt, user, method="TOTP")
        return self._finish()

    def _throttled(self, error: Throttling, *, recovery_mode: bool) -> HttpResponse:
        """The client or the device must wait: the code was not even checked (a recovery code still may be)."""
        return throttled_response(self._page(error=plain_message(error), recovery_mode=recovery_mode, status=429),
                                  error)

    def _failed(self, attempt: SignInAttempt, error: str, *, recovery_mode: bool) -> HttpResponse:
        failure = second_factor_failure(attempt, self.user, error)
        if failure.locked_until is not None:
            return self._abandon(failure.message)
        return self._page(error=error, recovery_mode=recovery_mode, status=401)

    def _abandon(self, message: str) -> HttpResponse:
        self.request.session.pop(PENDING, None)
        self.request.session["sign_in_notice"] = message
        return redirect("console:sign-in")

    def _finish(self) -> HttpResponse:
        request = self.request
        target = self.pending.get("next", "")
        request.session.pop(PENDING, None)
        login(request, self.user, backend=settings.AUTHENTICATION_BACKENDS[0])  # rotates the session key
        start_session(request)
        request.session[MFA_SESSION_KEY] = timezone.now().isoformat()
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
            return remember_device(request, redirect(target), self.user)
        return remember_device(request, redirect("console:dashboard"), self.user)

    def _devices(self) -> list:
        return list(enabled_devices(self.user)) or [None]

    def _page(self, *, error: str = "", recovery_mode: bool = False, status: int = 200) -> HttpResponse:
        devices = [d for d in self._devices() if d is not None]
        return render(self.request, "console/mfa/sign_in_code.html", {
            "error": error, "recovery_mode": recovery_mode, "devices": devices, "user_name": self.user.user_name,
            "account_id": self.user.account_id,
        }, status=status)


class MyMFAView(ConsoleView):
    """The caller's own devices, pending enrolments and recovery codes."""

    needs_iam_user = True
    nav = "my-mfa"
    allowed_while_enrolment_required = True

    def get(self, request: HttpRequest) -> HttpResponse:
        shown = handoff.take(request, "recovery-codes")
        response = self._page(recovery_codes=shown["codes"] if shown else None)
        return handoff.no_store(response) if shown else response

    def post(self, request: HttpRequest) -> HttpResponse:
        action, serial = request.POST.get("action", ""), request.POST.get("serial_number", "")
        try:
            if action == "deactivate":
                mfa.deactivate_mfa_device(caller=self.caller, serial_number=serial)
                messages.success(request, f"MFA device {serial} removed.")
            elif action == "delete":
                mfa.delete_virtual_mfa_device(caller=self.caller, serial_number=serial)
                messages.success(request, f"Unfinished MFA device {serial} deleted.")
            elif action == "regenerate":
                codes = mfa.regenerate_recovery_codes(caller=self.caller).codes
                handoff.give(request, "recovery-codes", {"codes": codes})
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            messages.error(request, plain_message(error))
        return redirect("console:my-mfa")

    def _page(self, *, recovery_codes: list[str] | None = None) -> HttpResponse:
        user, devices = mfa.list_mfa_devices(caller=self.caller)
        pending = mfa.list_pending_mfa_devices(caller=self.caller)
        return self.render("console/mfa/my_devices.html", {
            "me": user, "devices": devices, "pending": pending, "recovery_codes": recovery_codes,
            "recovery_left": recovery.remaining(user) if devices else 0, "device_limit": mfa.MFA_DEVICES_PER_USER,
            "mfa_session": bool(self.request.session.get(MFA_SESSION_KEY)),
        })


class MFAEnrolView(ConsoleView):
    """Enrol a virtual MFA device: name it, scan the QR code (or type the secret), confirm two consecutive codes.

    Each step is its own page (post/redirect/get). An enrolment left half-way, by a wrong code or a closed tab,
    is resumed from its serial number, with the same QR code, until it is completed or deleted.
    """

    needs_iam_user = True
    nav = "my-mfa"
    allowed_while_enrolment_required = True

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("done"):
            enabled = handoff.take(request, "mfa-enabled")
            if enabled is None:
                return redirect("console:my-mfa")
            return handoff.no_store(self._page("done", serial_number=enabled["serial_number"],
                                               recovery_codes=enabled["recovery_codes"]))
        serial = request.GET.get("serial", "")
        if serial:
            return self._scan(serial)
        return self._page("name", pending=self._pending())

    def post(self, request: HttpRequest) -> HttpResponse:
        action = request.POST.get("action", "")
        if action == "enable":
            return self._enable(request.POST.get("serial_number", ""))
        name = request.POST.get("device_name", "").strip()
        try:
            created = mfa.create_virtual_mfa_device(caller=self.caller, virtual_mfa_device_name=name)
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            unfinished = next((d for d in self._pending() if d.name.lower() == name.lower()), None)
            if error.code == "EntityAlreadyExists" and unfinished is not None:
                messages.info(request, f"You started assigning {unfinished.name} before: finish it now, or delete "
                                       "it under My MFA devices.")
                return self._resume_redirect(unfinished.serial_number)
            return self._page("name", pending=self._pending(), device_name=name, status=400,
                              name_error=plain_message(error, field="device_name"))
        return self._resume_redirect(created.serial_number)

    def _enable(self, serial: str) -> HttpResponse:
        request = self.request
        try:
            enabled = mfa.enable_mfa_device(caller=self.caller, serial_number=serial,
                                            authentication_code_1=request.POST.get("code_1", "").strip(),
                                            authentication_code_2=request.POST.get("code_2", "").strip())
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            if isinstance(error, Throttling):
                return throttled_response(self._scan(serial, code_error=plain_message(error), status=429), error)
            if error.code != "InvalidAuthenticationCode":
                messages.error(request, plain_message(error))
                return redirect("console:my-mfa")
            return self._scan(serial, code_error="The codes were not accepted. Enter two codes the app shows one "
                                                 "after the other (wait for the code to change before the second), "
                                                 "and check that your phone's clock is right.", status=400)
        handoff.give(request, "mfa-enabled", {"serial_number": enabled.device.serial_number,
                                              "recovery_codes": enabled.recovery_codes})
        return redirect(reverse("console:mfa-enrol") + "?done=1")

    def _scan(self, serial: str, *, code_error: str = "", status: int = 200) -> HttpResponse:
        try:
            device = mfa.resume_virtual_mfa_device(caller=self.caller, serial_number=serial)
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            messages.info(self.request, "That enrolment is already finished or was deleted." if
                          error.code == "EntityAlreadyExists" else "There is no unfinished MFA device by that name.")
            return redirect("console:my-mfa")
        # The seed of an unfinished device: never cached, never kept in the browser's history.
        return handoff.no_store(self._page("scan", device=device.device, secret=device.base32_string_seed,
                                           qr_svg=device.qr_code_svg(), code_error=code_error, status=status))

    def _resume_redirect(self, serial: str) -> HttpResponse:
        return redirect(reverse("console:mfa-enrol") + "?" + urlencode({"serial": serial}))

    def _pending(self) -> list:
        return mfa.list_pending_mfa_devices(caller=self.caller)

    def _page(self, step: str, *, status: int = 200, **context) -> HttpResponse:
        return self.render("console/mfa/enrol.html", {"step": step, "required": self.enrolment_required,
                                                      **context}, status=status)


class UserMFAView(ConsoleView):
    """An administrator's view of one user's devices: deactivate one, or delete an unfinished one."""

    nav = "users"

    def get(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user, devices = mfa.list_mfa_devices(caller=self.caller, user_name=user_name)
        pending = mfa.list_pending_mfa_devices(caller=self.caller, user_name=user_name)
        return self.render("console/mfa/user_devices.html", {"subject": user, "devices": devices, "pending": pending})

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        action, serial = request.POST.get("action", ""), request.POST.get("serial_number", "")
        try:
            if action == "deactivate":
                mfa.deactivate_mfa_device(caller=self.caller, serial_number=serial, user_name=user_name)
                messages.success(request, f"MFA device {serial} deactivated: {user_name} must enrol again.")
            elif action == "delete":
                mfa.delete_virtual_mfa_device(caller=self.caller, serial_number=serial, user_name=user_name)
                messages.success(request, f"Unfinished MFA device {serial} deleted.")
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            messages.error(request, plain_message(error))
        return redirect("console:user-mfa", user_name=user_name)


class AccountMFAView(ConsoleView):
    """Every MFA device in the account, and who must use MFA."""

    nav = "mfa"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page()

    def post(self, request: HttpRequest) -> HttpResponse:
        scope = request.POST.get("scope", Scope.NONE)
        names = request.POST.getlist("group_names") if scope == Scope.GROUPS else []
        try:
            update_mfa_requirement(caller=self.caller, scope=scope, group_names=names)
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            return self._page(error=error, status=400)
        messages.success(request, "MFA requirement saved.")
        return redirect("console:account-mfa")

    def _page(self, *, error: IAMError | None = None, status: int = 200) -> HttpResponse:
        devices = mfa.list_virtual_mfa_devices(caller=self.caller)
        requirement = get_mfa_requirement(caller=self.caller)
        return self.render("console/mfa/account.html", {
            "devices": devices, "requirement": requirement, "scopes": Scope.choices, "error": error,
            "groups": list(Group.objects.filter(account_id=self.caller.account_id).order_by("group_name_key")
                           .values_list("group_name", flat=True)[:500]),
        }, status=status)
