"""The account: its password policy (Get/Update/DeleteAccountPasswordPolicy) and GetAccountSummary."""

from __future__ import annotations

from directory.services import account_aliases, dashboard
from directory.services import password_policy as policy_services
from directory.services.access_keys import ACCESS_KEYS_PER_USER
from directory.services.groups import GROUPS_PER_USER
from iam_console.query.registry import operation
from iam_console.query.shapes import kwargs, page_out, paginate_list


@operation("iam", "GetAccountPasswordPolicy")
def get_account_password_policy(caller, params: dict) -> dict:
    policy = policy_services.get_account_password_policy(caller=caller)
    answer = {
        "MinimumPasswordLength": policy.minimum_password_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase_characters,
        "RequireLowercaseCharacters": policy.require_lowercase_characters,
        "AllowUsersToChangePassword": policy.allow_users_to_change_password,
        "ExpirePasswords": policy.max_password_age is not None,
        "MaxPasswordAge": policy.max_password_age,
        "PasswordReusePrevention": policy.password_reuse_prevention,
        "HardExpiry": policy.hard_expiry,
    }
    return {"PasswordPolicy": answer}


@operation("iam", "UpdateAccountPasswordPolicy")
def update_account_password_policy(caller, params: dict) -> dict:
    policy_services.update_account_password_policy(caller=caller, **kwargs(
        params, minimum_password_length="MinimumPasswordLength", require_symbols="RequireSymbols",
        require_numbers="RequireNumbers", require_uppercase_characters="RequireUppercaseCharacters",
        require_lowercase_characters="RequireLowercaseCharacters",
        allow_users_to_change_password="AllowUsersToChangePassword", max_password_age="MaxPasswordAge",
        password_reuse_prevention="PasswordReusePrevention", hard_expiry="HardExpiry"))
    return {}


@operation("iam", "DeleteAccountPasswordPolicy")
def delete_account_password_policy(caller, params: dict) -> dict:
    policy_services.delete_account_password_policy(caller=caller)
    return {}


# AWS's default quotas, where the directory enforces the same limit.
_QUOTAS = {"UsersQuota": 5000, "GroupsQuota": 300, "GroupsPerUserQuota": GROUPS_PER_USER,
           "AccessKeysPerUserQuota": ACCESS_KEYS_PER_USER, "SigningCertificatesPerUserQuota": 2,
           "UserPolicySizeQuota": 2048, "GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240,
           "PolicySizeQuota": 6144, "VersionsPerPolicyQuota": 5, "PoliciesQuota": 1500, "RolesQuota": 1000,
           "AttachedPoliciesPerUserQuota": 10, "AttachedPoliciesPerGroupQuota": 10,
           "AttachedPoliciesPerRoleQuota": 10, "AssumeRolePolicySizeQuota": 2048, "InstanceProfilesQuota": 1000,
           "ServerCertificatesQuota": 20, "PolicyVersionsInUseQuota": 10000}


@operation("iam", "GetAccountSummary")
def get_account_summary(caller, params: dict) -> dict:
    summary = dashboard.get_account_summary(caller=caller)
    totals = summary.account_totals()
    counts = {"Users": summary.users, "Groups": summary.groups, "Roles": totals["roles"],
              "Policies": totals["policies"], "PolicyVersionsInUse": totals["policy_versions_in_use"],
              "MFADevices": totals["mfa_devices"], "MFADevicesInUse": totals["mfa_devices_in_use"],
              "AccountMFAEnabled": int(totals["account_mfa_enabled"]),
              "AccountAccessKeysPresent": int(totals["account_access_keys_present"]),
              "AccountPasswordPresent": int(totals["account_password_present"]),
              "AccountSigningCertificatesPresent": 0, "ServerCertificates": 0, "InstanceProfiles": 0,
              "Providers": 0, "GlobalEndpointTokenVersion": 1}
    return {"SummaryMap": {**counts, **_QUOTAS}}


@operation("iam", "CreateAccountAlias")
def create_account_alias(caller, params: dict) -> dict:
    account_aliases.create_account_alias(caller=caller, account_alias=params["AccountAlias"])
    return {}


@operation("iam", "DeleteAccountAlias")
def delete_account_alias(caller, params: dict) -> dict:
    account_aliases.delete_account_alias(caller=caller, account_alias=params["AccountAlias"])
    return {}


@operation("iam", "ListAccountAliases")
def list_account_aliases(caller, params: dict) -> dict:
    aliases = account_aliases.list_account_aliases(caller=caller)
    page = paginate_list(aliases, marker=params.get("Marker"), max_items=params.get("MaxItems"))
    return page_out(page, "AccountAliases", str)
