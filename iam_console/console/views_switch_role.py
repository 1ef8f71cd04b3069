"""Switch role: act in the console as a role session, see its credentials once, and go back to the user."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

from accounts.selectors import account_by_id_or_alias
from directory.mfa.devices import enabled_devices
from directory.models import Role
from iam_console.callers import MFA_SESSION_KEY, caller_from_request
from iam_console.console import handoff, role_sessions
from iam_console.console.mixins import ConsoleView, throttled_response
from iam_console.console.role_forms import (
    COLORS,
    DEFAULT_DURATION,
    DISPLAY_NAME_MAX,
    SwitchRoleForm,
    normalise_color,
    role_arn_of,
)
from iam_console.errors import AccessDenied, IAMError
from policies.authorization import Caller
from sts import recent_roles
from sts import services as sts

_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
ROLE_FIELDS = {"durationSeconds": "duration_seconds", "MaxSessionDuration": "duration_seconds",
               "session limit": "duration_seconds", "tokenCode": "token_code", "MultiFactor": "token_code",
               "serial": "token_code", "is invalid: expected": "role_name"}


def session_name_for(user_name: str) -> str:
    """AWS's console names the role session after the user; a one-letter name is too short for RoleSessionName."""
    return user_name if _SESSION_NAME.fullmatch(user_name) else f"{user_name}-console"[:64]


def snippets(*, profile: str, access_key_id: str, secret: str, token: str, expiration: str, endpoint_url: str,
             region: str) -> dict[str, str]:
    """Ready-to-paste forms of the session credentials, each complete with the directory's endpoint, so that
    `aws sts get-caller-identity --profile <profile>` works as pasted: shell variables, a ~/.aws/config profile,
    and a profile whose credential_process prints the credentials (`process`, the JSON it prints)."""
    process = json.dumps({"Version": 1, "AccessKeyId": access_key_id, "SecretAccessKey": secret,
                          "SessionToken": token, "Expiration": expiration})
    return {
        "shell": (f"export AWS_ACCESS_KEY_ID={access_key_id}\nexport AWS_SECRET_ACCESS_KEY={secret}\n"
                  f"export AWS_SESSION_TOKEN={token}\nexport AWS_ENDPOINT_URL={endpoint_url}\n"
                  f"export AWS_DEFAULT_REGION={region}"),
        "config": (f"[profile {profile}]\nregion = {region}\nendpoint_url = {endpoint_url}\n"
                   f"aws_access_key_id = {access_key_id}\naws_secret_access_key = {secret}\n"
                   f"aws_session_token = {token}"),
        # The SDKs run the command without a shell and read its output; they stop using it once it expires.
        "credential_process": (f"[profile {profile}-process]\nregion = {region}\nendpoint_url = {endpoint_url}\n"
                               f"credential_process = echo '{process}'"),
        "process": process,
        "try": f"aws sts get-caller-identity --profile {profile}",
    }


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class SwitchRoleView(ConsoleView):
    """The form (pre-filled by links: ?roleName=&displayName=&color=&account=) and the switch itself."""

    needs_iam_user = True
    nav = "switch-role"

    def user_caller(self) -> Caller:
        # Switching always starts from the signed-in user, as in AWS, never from the role being left.
        return caller_from_request(self.request, via="console", principal=self.request.user)

    def mfa_serial(self) -> str:
        device = enabled_devices(self.request.user).only("serial_number").first()
        return device.serial_number if device else ""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET
        initial = {"account": query.get("account", "")[:63] or request.user.account_id,
                   "role_name": query.get("roleName", "")[:576],
                   "display_name": query.get("displayName", "")[:DISPLAY_NAME_MAX],
                   "color": normalise_color(query.get("color")), "duration_seconds": DEFAULT_DURATION}
        return self.page(SwitchRoleForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SwitchRoleForm(request.POST)
        if not form.is_valid():
            return self.page(form, status=400)
        data = form.cleaned_data
        caller = self.user_caller()
        code = data["token_code"] or None
        serial = (self.mfa_serial() or None) if code else None
        if code and serial is None:
            form.add_error("token_code", "You have no MFA device. Assign one under My security credentials first.")
            return self.page(form, status=400)
        account_id = self.account_id_of(data["account"])
        if account_id is None:  # an alias no account holds: refused as a role that cannot be assumed
            form.add_error(None, f"You cannot switch to {data['role_name']}: invalid information in one or more "
                                 "fields. Check the account and the role name, and ask an administrator whether "
                                 "the role's trust policy lets you assume it.")
            return self.page(form, status=403)
        try:
            assumed = sts.assume_role(caller=caller, role_arn=role_arn_of(account_id, data["role_name"]),
                                      role_session_name=session_name_for(request.user.user_name),
                                      duration_seconds=data["duration_seconds"], serial_number=serial,
                                      token_code=code)
        except AccessDenied as error:
            self.explain_denial(form, caller, data, error, tried_code=bool(code))
            return self.page(form, status=403)
        except IAMError as error:
            self.place_error(form, error)
            return throttled_response(self.page(form, status=400), error)
        color = normalise_color(data["color"])
        role_sessions.start(request, access_key_id=assumed.access_key_id, role_name=data["role_name"],
                            display_name=data["display_name"], color=color)
        recent_roles.remember(request.user, account=account_id, role_name=data["role_name"],
                               display_name=data["display_name"], color=color)
        # Shown once, by the page this redirects to: a reload there assumes the role no second time.
        handoff.give(request, "role-credentials", {
            "access_key_id": assumed.access_key_id, "secret_access_key": assumed.secret_access_key,
            "session_token": assumed.session_token, "expiration": _iso(assumed.expiration),
            "profile": re.sub(r"[^\w.-]", "-", data["role_name"])})
        return redirect("console:switch-role-credentials")

    def explain_denial(self, form, caller: Caller, data: dict, error: AccessDenied, *, tried_code: bool) -> None:
        if self.request.user.is_root:
            form.add_error(None, error.message)
            return
        if tried_code or "MultiFactorAuthentication" in error.message:
            form.add_error("token_code", "The MFA code was not accepted. Wait for the next code and try again.")
            return
        if not self.request.session.get(MFA_SESSION_KEY) and self.mfa_would_allow(
                caller, self.account_id_of(data["account"]) or "", data["role_name"]):
            form.add_error("token_code", "This role requires MFA: enter the current code from your MFA device.")
            return
        form.add_error(None, f"You cannot switch to {data['role_name']}: {error.message}. Check the account and the "
                             "role name, and ask an administrator whether the role's trust policy lets you assume it.")

    @staticmethod
    def account_id_of(account: str) -> str | None:
        """The account a Switch role form names: an account id as typed, or the account an alias names."""
        if account.isdigit():
            return account
        found = account_by_id_or_alias(account)
        return found.pk if found is not None else None

    def mfa_would_allow(self, caller: Caller, account_id: str, role_name: str) -> bool:
        """Whether the role's trust policy would let this user in with MFA present (to ask for a code)."""
        name = role_name.rsplit("/", 1)[-1]
        role = Role.objects.filter(account_id=account_id, role_name_key=name.lower()).first()
        if role is None or role.arn != role_arn_of(account_id, role_name):
            return False
        context = caller.condition_context({"sts:RoleSessionName": session_name_for(self.request.user.user_name),
                                            "aws:MultiFactorAuthPresent": True, "aws:MultiFactorAuthAge": 0})
        return sts._trust_allows(role, "sts:AssumeRole", caller, caller.principal.arn, context).allowed

    def place_error(self, form, error: IAMError) -> None:
        for hint, field in ROLE_FIELDS.items():
            if hint in error.message:
                form.add_error(field, error.message)
                return
        form.add_error(None, f"{error.code}: {error.message}")

    def page(self, form: SwitchRoleForm, status: int = 200) -> HttpResponse:
        user = self.request.user
        ask_code = not self.request.session.get(MFA_SESSION_KEY) or "token_code" in form.errors
        return self.render("console/switch_role/form.html", {
            "form": form, "ask_code": ask_code, "mfa_serial": "" if user.is_root else self.mfa_serial(),
            "colors": COLORS, "is_root": user.is_root}, status=status)


class SwitchBackView(ConsoleView):
    """Back to the user's own identity."""

    needs_iam_user = True

    def post(self, request: HttpRequest) -> HttpResponse:
        state = role_sessions.stop(request)
        if state:
            messages.success(request, f"You left {state['display_name']} and are back to {request.user.user_name}.")
        return redirect("console:dashboard")


class RoleCredentialsView(ConsoleView):
    """The credentials panel after the switch: the AccessKeyId and Expiration only (the secret was shown once)."""

    nav = "switch-role"

    def get(self, request: HttpRequest) -> HttpResponse:
        principal = getattr(self, "role_principal", None)
        if principal is None:
            messages.info(request, "You are not acting as a role. Switch role to get session credentials.")
            return redirect("console:switch-role")
        fresh = handoff.take(request, "role-credentials")
        if fresh is not None and fresh["access_key_id"] == principal.access_key_id:
            response = self.render("console/switch_role/credentials.html", {
                "fresh": True, "access_key_id": fresh["access_key_id"],
                "secret_access_key": fresh["secret_access_key"], "session_token": fresh["session_token"],
                "expiration": fresh["expiration"],
                "snippets": snippets(profile=fresh["profile"], access_key_id=fresh["access_key_id"],
                                     secret=fresh["secret_access_key"], token=fresh["session_token"],
                                     expiration=fresh["expiration"],
                                     endpoint_url=request.build_absolute_uri("/").rstrip("/"),
                                     region=settings.IAM_DEFAULT_REGION)})
            # Shown once: no cache may keep the page that holds the secret and the token.
            patch_cache_control(response, no_store=True, no_cache=True, private=True)
            return response
        state = role_sessions.current(request)
        return self.render("console/switch_role/credentials.html", {
            "fresh": False, "access_key_id": principal.access_key_id, "expiration": _iso(principal.expiration),
            "again": {"roleName": state["role_name"], "displayName": state["display_name"], "color": state["color"]}})
