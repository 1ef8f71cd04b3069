"""Console passwords: Create/Get/Update/DeleteLoginProfile and ChangePassword."""

from __future__ import annotations

from directory.services import login_profiles as profile_services
from iam_console.errors import ValidationError
from iam_console.query.registry import operation
from iam_console.query.shapes import kwargs


def _profile(user) -> dict:
    return {"LoginProfile": {"UserName": user.user_name, "CreateDate": user.login_profile_create_date,
                             "PasswordResetRequired": user.password_reset_required}}


@operation("iam", "CreateLoginProfile")
def create_login_profile(caller, params: dict) -> dict:
    if params.get("Password") is None:
        # The model lets the password be left out for sign-in methods the directory does not have.
        raise ValidationError("1 validation error detected: Value at 'password' failed to satisfy constraint: "
                              "Member must not be null")
    user = profile_services.create_login_profile(
        caller=caller, user_name=params.get("UserName") or _own_name(caller), password=params["Password"],
        password_reset_required=bool(params.get("PasswordResetRequired", False)))
    return _profile(user)


def _own_name(caller) -> str:
    return getattr(caller.principal, "user_name", "") or ""


@operation("iam", "GetLoginProfile")
def get_login_profile(caller, params: dict) -> dict:
    return _profile(profile_services.get_login_profile(caller=caller, **kwargs(params, user_name="UserName")))


@operation("iam", "UpdateLoginProfile")
def update_login_profile(caller, params: dict) -> dict:
    profile_services.update_login_profile(
        caller=caller, user_name=params.get("UserName") or _own_name(caller),
        **kwargs(params, password="Password", password_reset_required="PasswordResetRequired"))
    return {}


@operation("iam", "DeleteLoginProfile")
def delete_login_profile(caller, params: dict) -> dict:
    profile_services.delete_login_profile(caller=caller, user_name=params.get("UserName") or _own_name(caller))
    return {}


@operation("iam", "ChangePassword")
def change_password(caller, params: dict) -> dict:
    profile_services.change_password(caller=caller, old_password=params["OldPassword"],
                                     new_password=params["NewPassword"])
    return {}
