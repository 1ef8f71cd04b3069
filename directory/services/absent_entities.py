"""Lists of entity kinds the directory does not have (instance profiles, SSH keys, signing certificates,
service-specific credentials): always empty, but authorized and checked like AWS's, so tools that list them
before deleting a user or role (`terraform destroy`) carry on."""

from __future__ import annotations

from directory import lookups
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller


def _for_user(caller: Caller, action: str, user_name: str | None) -> list:
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, action, user.arn)
    return []


@iam_operation("ListSSHPublicKeys")
def list_ssh_public_keys(*, caller: Caller, user_name: str | None = None) -> list:
    return _for_user(caller, "iam:ListSSHPublicKeys", user_name)


@iam_operation("ListSigningCertificates")
def list_signing_certificates(*, caller: Caller, user_name: str | None = None) -> list:
    return _for_user(caller, "iam:ListSigningCertificates", user_name)


@iam_operation("ListServiceSpecificCredentials")
def list_service_specific_credentials(*, caller: Caller, user_name: str | None = None) -> list:
    return _for_user(caller, "iam:ListServiceSpecificCredentials", user_name)


@iam_operation("ListInstanceProfiles")
def list_instance_profiles(*, caller: Caller, path_prefix: str = "/") -> list:
    authorize_caller(caller, "iam:ListInstanceProfiles", "*")
    return []


@iam_operation("ListInstanceProfilesForRole")
def list_instance_profiles_for_role(*, caller: Caller, role_name: str) -> list:
    role = lookups.role_by_name(caller.account_id, role_name)
    authorize_caller(caller, "iam:ListInstanceProfilesForRole", role.arn)
    return []
