"""IAM Query API: roles, their trust policy, description and tags."""

from __future__ import annotations

from directory.models import Role
from directory.services import roles
from directory.services.role_policies import role_permissions_boundary
from iam_console.query import iam_output as out
from iam_console.query.registry import operation


def role_shape(role: Role, *, detailed: bool) -> dict:
    """botocore's Role shape. `detailed` (GetRole, CreateRole) adds the boundary, tags and last use, which
    AWS leaves out of ListRoles."""
    body = {"Path": role.path, "RoleName": role.role_name, "RoleId": role.role_id, "Arn": role.arn,
            "CreateDate": role.create_date,
            "AssumeRolePolicyDocument": out.policy_document(role.assume_role_policy_document),
            "MaxSessionDuration": role.max_session_duration}
    if role.description:
        body["Description"] = role.description
    if detailed:
        boundary = out.boundary(role_permissions_boundary(role))
        if boundary:
            body["PermissionsBoundary"] = boundary
        tags = out.tags_out(role.tags.all())
        if tags:
            body["Tags"] = tags
        body["RoleLastUsed"] = {"LastUsedDate": role.last_used_date} if role.last_used_date else {}
    return body


@operation("iam", "CreateRole")
def create_role(caller, params: dict) -> dict:
    # Defaults and optional arguments as the REST API passes them: one operation, one audit record.
    boundary = {"permissions_boundary": params["PermissionsBoundary"]} if params.get("PermissionsBoundary") else {}
    role = roles.create_role(caller=caller, role_name=params["RoleName"],
                             assume_role_policy_document=params["AssumeRolePolicyDocument"],
                             path=params.get("Path", "/"), description=params.get("Description", ""),
                             max_session_duration=params.get("MaxSessionDuration", roles.MIN_SESSION_DURATION),
                             tags=out.tags_in(params), **boundary)
    return {"Role": role_shape(role, detailed=True)}


@operation("iam", "GetRole")
def get_role(caller, params: dict) -> dict:
    return {"Role": role_shape(roles.get_role(caller=caller, role_name=params["RoleName"]), detailed=True)}


@operation("iam", "ListRoles")
def list_roles(caller, params: dict) -> dict:
    result = roles.list_roles(caller=caller, path_prefix=params.get("PathPrefix", "/"), marker=params.get("Marker"),
                              max_items=params.get("MaxItems"))
    return out.page_out(result, "Roles", lambda role: role_shape(role, detailed=False))


@operation("iam", "UpdateRole")
def update_role(caller, params: dict) -> dict:
    roles.update_role(caller=caller, role_name=params["RoleName"], description=params.get("Description"),
                      max_session_duration=params.get("MaxSessionDuration"))
    return {}


@operation("iam", "UpdateRoleDescription")
def update_role_description(caller, params: dict) -> dict:
    role = roles.update_role_description(caller=caller, role_name=params["RoleName"],
                                         description=params["Description"])
    return {"Role": role_shape(role, detailed=True)}


@operation("iam", "UpdateAssumeRolePolicy")
def update_assume_role_policy(caller, params: dict) -> dict:
    roles.update_assume_role_policy(caller=caller, role_name=params["RoleName"],
                                    policy_document=params["PolicyDocument"])
    return {}


@operation("iam", "DeleteRole")
def delete_role(caller, params: dict) -> dict:
    roles.delete_role(caller=caller, role_name=params["RoleName"])
    return {}


@operation("iam", "TagRole")
def tag_role(caller, params: dict) -> dict:
    roles.tag_role(caller=caller, role_name=params["RoleName"], tags=out.tags_in(params))
    return {}


@operation("iam", "UntagRole")
def untag_role(caller, params: dict) -> dict:
    roles.untag_role(caller=caller, role_name=params["RoleName"], tag_keys=params["TagKeys"])
    return {}


@operation("iam", "ListRoleTags")
def list_role_tags(caller, params: dict) -> dict:
    tags = roles.list_role_tags(caller=caller, role_name=params["RoleName"])
    return out.shaped(out.page(tags, params, lambda tag: tag.key_lower, "Tags"), "Tags",
                      lambda tag: {"Key": tag.key, "Value": tag.value})
