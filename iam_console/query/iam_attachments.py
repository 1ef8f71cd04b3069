"""IAM Query API: managed policy attachments, inline policies and permissions boundaries of users, groups, roles.

IAM spells each of these once per kind of entity; the handlers are registered once per kind from one table,
each calling that kind's own service (AttachUserPolicy -> attach_user_policy …).
"""

from __future__ import annotations

from directory.services import attachments, boundaries, inline, role_policies
from iam_console.query import iam_output as out
from iam_console.query.registry import operation

# Entity kind -> (request parameter naming the entity, service keyword, module holding its services)
_KINDS = {
    "User": ("UserName", "user_name", {"managed": attachments, "inline": inline, "boundary": boundaries}),
    "Group": ("GroupName", "group_name", {"managed": attachments, "inline": inline}),
    "Role": ("RoleName", "role_name", {"managed": role_policies, "inline": role_policies,
                                         "boundary": role_policies}),
}


def _register(kind: str) -> None:
    param, keyword, modules = _KINDS[kind]
    lower = kind.lower()

    def entity(params: dict) -> dict:
        return {keyword: params[param]}

    def service(family: str, name: str):
        return getattr(modules[family], name)

    @operation("iam", f"Attach{kind}Policy")
    def attach(caller, params: dict) -> dict:
        service("managed", f"attach_{lower}_policy")(caller=caller, policy_arn=params["PolicyArn"], **entity(params))
        return {}

    @operation("iam", f"Detach{kind}Policy")
    def detach(caller, params: dict) -> dict:
        service("managed", f"detach_{lower}_policy")(caller=caller, policy_arn=params["PolicyArn"], **entity(params))
        return {}

    @operation("iam", f"ListAttached{kind}Policies")
    def list_attached(caller, params: dict) -> dict:
        policies = service("managed", f"list_attached_{lower}_policies")(caller=caller, **entity(params))
        prefix = params.get("PathPrefix") or "/"
        policies = [policy for policy in policies if policy.path.startswith(prefix)]
        return out.shaped(out.page(policies, params, lambda policy: policy.arn.lower(), "AttachedPolicies"),
                          "AttachedPolicies", out.attached_policy)

    @operation("iam", f"Put{kind}Policy")
    def put_inline(caller, params: dict) -> dict:
        service("inline", f"put_{lower}_policy")(caller=caller, policy_name=params["PolicyName"],
                                                 policy_document=params["PolicyDocument"], **entity(params))
        return {}

    @operation("iam", f"Get{kind}Policy")
    def get_inline(caller, params: dict) -> dict:
        policy = service("inline", f"get_{lower}_policy")(caller=caller, policy_name=params["PolicyName"],
                                                          **entity(params))
        holder = getattr(policy, lower)  # the user, group or role, named as stored
        return {param: getattr(holder, keyword), "PolicyName": policy.policy_name,
                "PolicyDocument": out.policy_document(policy.document)}

    @operation("iam", f"Delete{kind}Policy")
    def delete_inline(caller, params: dict) -> dict:
        service("inline", f"delete_{lower}_policy")(caller=caller, policy_name=params["PolicyName"], **entity(params))
        return {}

    @operation("iam", f"List{kind}Policies")
    def list_inline(caller, params: dict) -> dict:
        names = service("inline", f"list_{lower}_policies")(caller=caller, **entity(params))
        return out.page(names, params, str.lower, "PolicyNames")

    if "boundary" not in modules:
        return

    @operation("iam", f"Put{kind}PermissionsBoundary")
    def put_boundary(caller, params: dict) -> dict:
        service("boundary", f"put_{lower}_permissions_boundary")(
            caller=caller, permissions_boundary=params["PermissionsBoundary"], **entity(params))
        return {}

    @operation("iam", f"Delete{kind}PermissionsBoundary")
    def delete_boundary(caller, params: dict) -> dict:
        service("boundary", f"delete_{lower}_permissions_boundary")(caller=caller, **entity(params))
        return {}


for _kind in _KINDS:
    _register(_kind)
