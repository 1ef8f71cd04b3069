"""Entity kinds the directory does not have, listed as empty so that tools (`terraform destroy`) carry on."""

from __future__ import annotations

from directory.services import absent_entities as absent
from iam_console.query.registry import operation
from iam_console.query.shapes import kwargs


@operation("iam", "ListInstanceProfilesForRole")
def list_instance_profiles_for_role(caller, params: dict) -> dict:
    absent.list_instance_profiles_for_role(caller=caller, role_name=params["RoleName"])
    return {"InstanceProfiles": [], "IsTruncated": False}


@operation("iam", "ListInstanceProfiles")
def list_instance_profiles(caller, params: dict) -> dict:
    absent.list_instance_profiles(caller=caller, **kwargs(params, path_prefix="PathPrefix"))
    return {"InstanceProfiles": [], "IsTruncated": False}


@operation("iam", "ListSSHPublicKeys")
def list_ssh_public_keys(caller, params: dict) -> dict:
    absent.list_ssh_public_keys(caller=caller, **kwargs(params, user_name="UserName"))
    return {"SSHPublicKeys": [], "IsTruncated": False}


@operation("iam", "ListSigningCertificates")
def list_signing_certificates(caller, params: dict) -> dict:
    absent.list_signing_certificates(caller=caller, **kwargs(params, user_name="UserName"))
    return {"Certificates": [], "IsTruncated": False}


@operation("iam", "ListServiceSpecificCredentials")
def list_service_specific_credentials(caller, params: dict) -> dict:
    absent.list_service_specific_credentials(caller=caller, **kwargs(params, user_name="UserName"))
    return {"ServiceSpecificCredentials": []}
