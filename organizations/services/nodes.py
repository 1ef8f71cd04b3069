"""The nodes of the tree (the root, OUs, accounts) as targets and parents, and the policies every node keeps."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import Account, Organization, OrganizationalUnit
from organizations.errors import ParentNotFoundException, TargetNotFoundException


def parent_unit(organization: Organization, parent_id: str, *, error=ParentNotFoundException,
                lock: bool = False) -> OrganizationalUnit | None:
    """The OU a parent id names (None for the root); `error` when it names neither."""
    if parent_id == organization.root_id:
        return None
    if parent_id.startswith("ou-"):
        units = OrganizationalUnit.objects.filter(organization=organization, pk=parent_id)
        unit = (units.select_for_update() if lock else units).first()
        if unit is not None:
            return unit
    raise error()


def target_kind(organization: Organization, target_id: str) -> str:
    """ROOT, ORGANIZATIONAL_UNIT or ACCOUNT: the kind of an existing target; TargetNotFoundException else."""
    if target_id == organization.root_id:
        return "ROOT"
    if target_id.startswith("ou-") and OrganizationalUnit.objects.filter(organization=organization,
                                                                          pk=target_id).exists():
        return "ORGANIZATIONAL_UNIT"
    if Account.objects.filter(organization=organization, pk=target_id).exists():
        return "ACCOUNT"
    raise TargetNotFoundException()


def target_names(organization: Organization, target_ids: Iterable[str]) -> dict[str, str]:
    """The name of each target (the root is "Root"), in two queries whatever their number."""
    ids = set(target_ids)
    names = {organization.root_id: "Root"} if organization.root_id in ids else {}
    names.update(OrganizationalUnit.objects.filter(pk__in=ids).values_list("id", "name"))
    names.update(Account.objects.filter(pk__in=ids).values_list("id", "name"))
    return names
