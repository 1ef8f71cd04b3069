"""My security credentials: a user's own password and access keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from directory.services import access_keys
from directory.services.login_profiles import change_password
from iam_console.console import handoff
from iam_console.console.forms import ChangePasswordForm
from iam_console.console.mixins import (
    ConsoleView,
    apply_error,
    password_expires_at,
    password_rules,
    throttled_response,
)
from iam_console.console.plain_errors import plain_message
from iam_console.console.views_auth import PASSWORD_FIELDS
from iam_console.errors import IAMError


def key_action(view: ConsoleView, request: HttpRequest, *, user_name: str | None) -> dict | None:
    """Create, activate, deactivate or delete an access key; returns the new key (shown once) if created."""
    action = request.POST.get("action", "")
    key_id = request.POST.get("access_key_id", "")
    if action == "create":
        created = access_keys.create_access_key(caller=view.caller, user_name=user_name)
        messages.success(request, f"Access key {created.access_key.access_key_id} created. "
                                  "This is the only time the secret access key can be viewed or downloaded.")
        return {"access_key_id": created.access_key.access_key_id, "secret_access_key": created.secret_access_key}
    if action in ("Active", "Inactive"):
        access_keys.update_access_key(caller=view.caller, access_key_id=key_id, status=action, user_name=user_name)
        messages.success(request, f"Access key {key_id} is now {'active' if action == 'Active' else 'inactive'}.")
    elif action == "delete":
        access_keys.delete_access_key(caller=view.caller, access_key_id=key_id, user_name=user_name)
        messages.success(request, f"Access key {key_id} deleted.")
    return None


class SecurityCredentialsView(ConsoleView):
    needs_iam_user = True
    nav = "self"

    def get(self, request: HttpRequest) -> HttpResponse:
        new_key = handoff.take(request, "my-access-key")
        response = self._page(new_key=new_key)
        return handoff.no_store(response) if new_key else response

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "change_password":
            form = ChangePasswordForm(request.POST)
            if form.is_valid():
                try:
                    user = change_password(caller=self.caller, old_password=form.cleaned_data["old_password"],
                                           new_password=form.cleaned_data["new_password"])
                except IAMError as error:
                    if error.code == "AccessDenied" and "HardExpiry" not in error.message:
                        raise
                    apply_error(form, error, PASSWORD_FIELDS)
                    return throttled_response(self._page(password_form=form, status=400), error)
                else:
                    update_session_auth_hash(request, user)
                    messages.success(request, "Your password has been changed.")
                    return redirect("console:my-credentials")
            return self._page(password_form=form, status=400)
        try:
            new_key = key_action(self, request, user_name=None)
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            messages.error(request, plain_message(error))
            return redirect("console:my-credentials")
        if new_key is not None:
            # Shown once by the page this redirects to (post/redirect/get): a reload creates no second key.
            handoff.give(request, "my-access-key", {"access_key_id": new_key["access_key_id"],
                                                    "secret_access_key": new_key["secret_access_key"]})
        return redirect("console:my-credentials")

    def _page(self, *, password_form: ChangePasswordForm | None = None, new_key: dict | None = None,
              status: int = 200) -> HttpResponse:
        user, keys = access_keys.list_access_keys(caller=self.caller)
        return self.render("console/my_credentials.html", {
            "me": user, "keys": keys, "new_key": new_key, "password_form": password_form or ChangePasswordForm(),
            "rules": password_rules(self.policy), "expires": password_expires_at(user, self.policy),
            "key_limit": access_keys.ACCESS_KEYS_PER_USER,
        }, status=status)
