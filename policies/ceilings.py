"""Policy ceilings: an account's per-path limit on what any policy written there may grant.

Every write of a policy document (CreatePolicy and CreatePolicyVersion of a managed policy under the path,
Put{User,Group,Role}Policy for an entity under it) is checked with CheckNoNewAccess against the default version
of each ceiling whose prefix the path begins with; a document granting anything a ceiling does not is refused
with InvalidInput, naming the ceiling and a request that goes beyond it. Off until an account sets a ceiling.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from iam_console.errors import InvalidInput
from policies.language.access_checks import check_no_new_access
from policies.models import PolicyCeiling, PolicyVersion


def ceilings_over(account_id: str, path: str) -> list[PolicyCeiling]:
    """The account's ceilings whose prefix the path begins with, each with its reference document (one query)."""
    default_document = PolicyVersion.objects.filter(policy=OuterRef("policy"), is_default_version=True)
    ceilings = PolicyCeiling.objects.filter(account_id=account_id).select_related("policy").annotate(
        reference_document=Subquery(default_document.values("document")[:1]))
    return [ceiling for ceiling in ceilings if path.startswith(ceiling.path_prefix)]


def enforce_ceilings(account_id: str, path: str, document: str, *, written: str, policy_pk: int | None = None
                     ) -> None:
    """Refuse `document`, to be written as `written` (e.g. "policy /teams/Deploy"), where it grants more than a
    ceiling over `path` allows. A ceiling's own reference policy is not held to itself."""
    for ceiling in ceilings_over(account_id, path):
        if ceiling.policy_id == policy_pk or ceiling.reference_document is None:
            continue
        result = check_no_new_access(document, ceiling.reference_document)
        if result.passed:
            continue
        where = f"the policy ceiling {ceiling.policy.arn} set for path prefix {ceiling.path_prefix}"
        if result.counterexample is not None:
            example = result.counterexample
            raise InvalidInput(f"The {written} grants access beyond {where}: for example, it allows {example.action} "
                               f"on {example.resource}, which the ceiling does not. Narrow the policy, or have the "
                               "ceiling widened.", details={"ceiling": ceiling.policy.arn,
                                                            "path_prefix": ceiling.path_prefix,
                                                            "counterexample": example.to_dict()})
        raise InvalidInput(f"The {written} cannot be shown to stay within {where}. Narrow the policy (fewer "
                           "wildcards, no policy variables in the widened statements), or have the ceiling widened.",
                           details={"ceiling": ceiling.policy.arn, "path_prefix": ceiling.path_prefix})
