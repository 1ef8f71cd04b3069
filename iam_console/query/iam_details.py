"""IAM Query API: GetAccountAuthorizationDetails, every entity with the policies it holds, one page at a time."""

from __future__ import annotations

from directory.services.authorization_details import get_account_authorization_details as details_service
from iam_console.query import iam_output as out
from iam_console.query.registry import operation


def _inline(policies) -> list[dict]:
    return [{"PolicyName": policy.policy_name, "PolicyDocument": out.policy_document(policy.document)}
            for policy in policies]


def _attached(attachments) -> list[dict]:
    return [out.attached_policy(attachment.policy) for attachment in attachments]


def _boundary_of(entity) -> dict | None:
    holder = getattr(entity, "permissions_boundary", None)  # the one-to-one row, when there is one
    return out.boundary(holder.policy) if holder is not None else None


def _user(user) -> dict:
    return out.without_none({
        "Path": user.path, "UserName": user.user_name, "UserId": user.user_id, "Arn": user.arn,
        "CreateDate": user.create_date, "UserPolicyList": _inline(user.inline_policies.all()),
        "GroupList": sorted((group.group_name for group in user.iam_groups.all()), key=str.lower),
        "AttachedManagedPolicies": _attached(user.policy_attachments.all()),
        "PermissionsBoundary": _boundary_of(user), "Tags": out.tags_out(user.tags.all())})


def _group(group) -> dict:
    return {"Path": group.path, "GroupName": group.group_name, "GroupId": group.group_id, "Arn": group.arn,
            "CreateDate": group.create_date, "GroupPolicyList": _inline(group.inline_policies.all()),
            "AttachedManagedPolicies": _attached(group.policy_attachments.all())}


def _role(role) -> dict:
    return out.without_none({
        "Path": role.path, "RoleName": role.role_name, "RoleId": role.role_id, "Arn": role.arn,
        "CreateDate": role.create_date,
        "AssumeRolePolicyDocument": out.policy_document(role.assume_role_policy_document),
        "InstanceProfileList": [], "RolePolicyList": _inline(role.inline_policies.all()),
        "AttachedManagedPolicies": _attached(role.policy_attachments.all()),
        "PermissionsBoundary": _boundary_of(role), "Tags": out.tags_out(role.tags.all()),
        "RoleLastUsed": {"LastUsedDate": role.last_used_date} if role.last_used_date else {}})


def _policy(policy) -> dict:
    return out.without_none({
        "PolicyName": policy.policy_name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": len(policy.user_attachments.all()) + len(policy.group_attachments.all())
        + len(policy.role_attachments.all()),
        "PermissionsBoundaryUsageCount": len(policy.user_boundaries.all()) + len(policy.role_boundaries.all()),
        "IsAttachable": True, "Description": policy.description or None, "CreateDate": policy.create_date,
        "UpdateDate": policy.update_date,
        "PolicyVersionList": [{"Document": out.policy_document(version.document), "VersionId": version.version_id,
                               "IsDefaultVersion": version.is_default_version, "CreateDate": version.create_date}
                              for version in policy.versions.all()]})


@operation("iam", "GetAccountAuthorizationDetails")
def get_account_authorization_details(caller, params: dict) -> dict:
    found = details_service(caller=caller, filters=params.get("Filter"), marker=params.get("Marker"),
                            max_items=params.get("MaxItems"))
    body = {"UserDetailList": [_user(user) for user in found.users],
            "GroupDetailList": [_group(group) for group in found.groups],
            "RoleDetailList": [_role(role) for role in found.roles],
            "Policies": [_policy(policy) for policy in found.policies], "IsTruncated": found.is_truncated}
    if found.marker:
        body["Marker"] = found.marker
    return body
