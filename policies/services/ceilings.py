"""Policy ceilings as operations: PutPolicyCeiling, DeletePolicyCeiling, ListPolicyCeilings (the directory's own)."""

from __future__ import annotations

from django.db import transaction

from iam_console.errors import NoSuchEntity
from iam_console.operations import iam_operation
from iam_console.validation import validate_path_prefix
from policies.authorization import Caller, authorize_caller
from policies.models import PolicyCeiling
from policies.services.managed import policy_by_arn


@iam_operation("PutPolicyCeiling")
def put_policy_ceiling(*, caller: Caller, path_prefix: str, policy_arn: str) -> PolicyCeiling:
    """Set (or replace) the ceiling for a path prefix: the managed policy whose default version every policy
    written under the prefix must stay within. Policies already written are not re-checked."""
    authorize_caller(caller, "iam:PutPolicyCeiling", "*")
    path_prefix = validate_path_prefix(path_prefix)
    policy = policy_by_arn(caller.account_id, policy_arn)
    with transaction.atomic():
        ceiling, _ = PolicyCeiling.objects.update_or_create(account_id=caller.account_id, path_prefix=path_prefix,
                                                            defaults={"policy": policy})
    return ceiling


@iam_operation("DeletePolicyCeiling")
def delete_policy_ceiling(*, caller: Caller, path_prefix: str) -> None:
    authorize_caller(caller, "iam:DeletePolicyCeiling", "*")
    deleted, _ = PolicyCeiling.objects.filter(account_id=caller.account_id, path_prefix=path_prefix).delete()
    if not deleted:
        raise NoSuchEntity(f"No policy ceiling is set for path prefix {path_prefix}.")


@iam_operation("ListPolicyCeilings")
def list_policy_ceilings(*, caller: Caller) -> list[PolicyCeiling]:
    authorize_caller(caller, "iam:ListPolicyCeilings", "*")
    return list(PolicyCeiling.objects.filter(account_id=caller.account_id).select_related("policy"))
