"""ListPoliciesGrantingServiceAccess: which of an entity's permissions policies allow some action of a service."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from directory.services.simulation import principal_policy_set
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller
from policies.language import CompiledPolicy
from policies.loading import PolicySource

MAX_NAMESPACES = 200


@dataclass(frozen=True)
class ServiceAccess:
    """For one service namespace: the policies that grant some access to it, and whose entity holds each."""

    service_namespace: str
    policies: list[PolicySource]
    entity_name: str  # the simulated entity's name: the holder of its own inline policies


def _covers(pattern: str, namespace: str) -> bool:
    """Whether an Action pattern ("s3:Get*", "*", "s*:List*") can match some action of the namespace."""
    service, _, _ = pattern.lower().partition(":")
    return pattern == "*" or fnmatch.fnmatchcase(namespace, service)


def _grants(compiled: CompiledPolicy, namespace: str) -> bool:
    document = compiled.document
    for statement in document.statements if document is not None else ():
        if not statement.is_allow:
            continue
        if statement.action is not None and any(_covers(a.value, namespace) for a in statement.action):
            return True
        if statement.not_action is not None and not any(
                a.value == "*" or a.value.lower() == f"{namespace}:*" for a in statement.not_action):
            return True  # NotAction allows everything it does not name: some action of the service is left
    return False


@iam_operation("ListPoliciesGrantingServiceAccess")
def list_policies_granting_service_access(*, caller: Caller, arn: str,
                                          service_namespaces: list[str]) -> list[ServiceAccess]:
    if not isinstance(service_namespaces, list) or not 1 <= len(service_namespaces) <= MAX_NAMESPACES:
        raise ValidationError(f"service_namespaces must list 1 to {MAX_NAMESPACES} service namespaces, such as s3")
    policy_set, entity_arn, _ = principal_policy_set(caller, "iam:ListPoliciesGrantingServiceAccess",
                                                     user_name=None, policy_source_arn=arn)
    entity_name = entity_arn.rsplit("/", 1)[-1]
    answer = []
    for namespace in service_namespaces:
        granting = [policy_set.sources[compiled.policy_id] for compiled in policy_set.identity
                    if compiled.policy_id in policy_set.sources and _grants(compiled, namespace.lower())]
        answer.append(ServiceAccess(namespace, granting, entity_name))
    return answer
