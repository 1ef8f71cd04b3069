"""What the organization's resource policy may say, beyond the resource-policy grammar every resource policy
follows: AWS delegates only reads (Describe*, List*) and the management of policies, on the organization's own
resources."""

from __future__ import annotations

from organizations.errors import invalid_input
from policies.language import validate

# Beside every Describe* and List* action, the policy-management actions AWS lets a resource policy delegate.
DELEGABLE_ACTIONS = frozenset(action.lower() for action in (
    "AttachPolicy", "CreatePolicy", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType",
    "UpdatePolicy", "TagResource", "UntagResource"))
_READ_PREFIXES = ("describe", "list")
_WILDCARDS = ("*", "?")


def _delegable(action: str) -> bool:
    service, _, name = action.lower().partition(":")
    if service != "organizations":
        return False
    literal = name
    for wildcard in _WILDCARDS:
        literal = literal.split(wildcard, 1)[0]
    if literal != name:  # a pattern: every action it matches must be a read, which its literal prefix proves
        return literal.startswith(_READ_PREFIXES)
    return name.startswith(_READ_PREFIXES) or name in DELEGABLE_ACTIONS


def check_resource_policy(content: str, organization_arn_prefix: str) -> None:
    """InvalidInputException with AWS's reason for the first thing wrong with `content`, else nothing.

    `organization_arn_prefix` is `arn:<partition>:organizations::<management account>:`: a statement's resources
    are `*` or the organization's own ARNs.
    """
    result = validate(content, policy_type="RESOURCE_POLICY")
    blocking = result.blocking()
    if blocking or result.model is None:
        first = blocking[0] if blocking else None
        where = f" (line {first.line}, column {first.column})" if first else ""
        reason = "INVALID_PRINCIPAL" if first is not None and "principal" in first.issue_code.lower() else \
            "INVALID_RESOURCE_POLICY_JSON"
        raise invalid_input(reason, "The resource policy is not a valid resource policy: "
                                    f"{first.message if first else 'no document'}{where}")
    for statement in result.model.statements:
        if statement.not_action is not None:
            raise invalid_input("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY", "NotAction is not supported in the "
                                                                         "organization's resource policy.")
        for action in statement.action or ():
            if not _delegable(action.value):
                raise invalid_input("UNSUPPORTED_ACTION_IN_RESOURCE_POLICY",
                                    f"The action {action.value} cannot be delegated (line {action.line}, column "
                                    f"{action.column}): only organizations:Describe*, List* and the policy "
                                    "management actions can.")
        if statement.not_resource is not None:
            raise invalid_input("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY", "NotResource is not supported in the "
                                                                           "organization's resource policy.")
        for resource in statement.resource or ():
            if resource.value != "*" and not resource.value.startswith(organization_arn_prefix):
                raise invalid_input("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY",
                                    f"The resource {resource.value} is not the organization's (line "
                                    f"{resource.line}, column {resource.column}): give * or an ARN beginning "
                                    f"{organization_arn_prefix}.")

