"""The account's MFA requirement: who must have a device before doing anything else in the console."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from directory.models import Group, GroupMembership, MFADevice, MFARequirement, User
from iam_console.errors import NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller

Scope = MFARequirement.Scope


@dataclass(frozen=True)
class Requirement:
    scope: str
    group_names: list[str]

    def audit_elements(self) -> dict:
        return {"scope": self.scope, "group_names": self.group_names}


def _current(account_id: str) -> Requirement:
    row = MFARequirement.objects.prefetch_related("groups").filter(account_id=account_id).first()
    if row is None:
        return Requirement(scope=Scope.NONE, group_names=[])
    return Requirement(scope=row.scope, group_names=sorted(g.group_name for g in row.groups.all()))


@iam_operation("GetMFARequirement", action="iam:GetAccountPasswordPolicy")
def get_mfa_requirement(*, caller: Caller) -> Requirement:
    # An account-wide sign-in rule, read and changed under the same actions as the password policy.
    authorize_caller(caller, "iam:GetAccountPasswordPolicy", "*")
    return _current(caller.account_id)


@iam_operation("UpdateMFARequirement", action="iam:UpdateAccountPasswordPolicy")
def update_mfa_requirement(*, caller: Caller, scope: str, group_names: list[str] | None = None) -> Requirement:
    authorize_caller(caller, "iam:UpdateAccountPasswordPolicy", "*")
    if scope not in Scope.values:
        raise ValidationError(f"scope must be one of {', '.join(Scope.values)}.")
    names = list(dict.fromkeys(group_names or []))
    if scope == Scope.GROUPS and not names:
        raise ValidationError("Name at least one group when the requirement applies to groups.")
    if scope != Scope.GROUPS and names:
        raise ValidationError("group_names applies only when scope is Groups.")
    groups = list(Group.objects.filter(account_id=caller.account_id,
                                       group_name_key__in=[str(n).lower() for n in names]))
    if len(groups) != len(names):
        found = {g.group_name_key for g in groups}
        missing = next(n for n in names if str(n).lower() not in found)
        raise NoSuchEntity(f"The group with name {missing} cannot be found.")
    row, _ = MFARequirement.objects.select_for_update().get_or_create(account_id=caller.account_id)
    row.scope, row.update_date = scope, timezone.now()
    row.save(update_fields=["scope", "update_date"])
    row.groups.set(groups)
    return _current(caller.account_id)


def must_enrol(user: User) -> bool:
    """True when the requirement covers the user and the user has no enabled device (one or two queries)."""
    if user.is_root:
        return False  # the root user is break-glass: it cannot be locked out of its own account by a setting
    row = MFARequirement.objects.filter(account_id=user.account_id).values("id", "scope").first()
    if row is None or row["scope"] == Scope.NONE:
        return False
    if MFADevice.objects.filter(user=user, confirmed=True).exists():
        return False
    if row["scope"] == Scope.ALL:
        return True
    return GroupMembership.objects.filter(user=user, group__in=MFARequirement.groups.through.objects.filter(
        mfarequirement_id=row["id"]).values("group_id")).exists()
