"""Organizational units: create, describe, rename, delete, and the tree's ListChildren, ListParents and
ListOrganizationalUnitsForParent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationTag, PolicyAttachment
from accounts.tree import attach_full_access
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import (
    ChildNotFoundException,
    DuplicateOrganizationalUnitException,
    OrganizationalUnitNotEmptyException,
    OrganizationalUnitNotFoundException,
    constraint_violation,
)
from organizations.paging import page
from organizations.services.nodes import parent_unit
from organizations.services.tags import tag_rows

MAX_DEPTH = 5  # AWS: "You can nest OUs up to five levels deep"


@dataclass(frozen=True)
class Unit:
    organization: Organization
    unit: OrganizationalUnit

    def audit_elements(self) -> dict:
        return {"organizationalUnitId": self.unit.id}


def _unit(organization: Organization, unit_id: str, *, lock: bool = False) -> OrganizationalUnit:
    units = OrganizationalUnit.objects.filter(organization=organization, pk=unit_id)
    unit = (units.select_for_update() if lock else units).first()
    if unit is None:
        raise OrganizationalUnitNotFoundException()
    return unit


@iam_operation("CreateOrganizationalUnit", event_source=EVENT_SOURCE)
def create_organizational_unit(*, caller: Caller, parent_id: str, name: str, tags: list[dict] | None = None) -> Unit:
    organization = organization_for(caller, "CreateOrganizationalUnit", lock=True)
    parent = parent_unit(organization, parent_id)
    depth = (parent.depth if parent else 0) + 1
    if depth > MAX_DEPTH:
        raise constraint_violation("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree that is too "
                                                              "many levels deep (at most 5).")
    try:
        with transaction.atomic():
            unit = OrganizationalUnit.objects.create(id=identifiers.new_unit_id(organization.root_id),
                                                     organization=organization, parent=parent, name=name,
                                                     depth=depth)
    except IntegrityError:
        raise DuplicateOrganizationalUnitException() from None
    attach_full_access(organization, [unit.id])
    OrganizationTag.objects.bulk_create(tag_rows(unit.id, tags or []))
    return Unit(organization, unit)


@iam_operation("DescribeOrganizationalUnit", event_source=EVENT_SOURCE)
def describe_organizational_unit(*, caller: Caller, organizational_unit_id: str) -> Unit:
    organization = organization_for(caller, "DescribeOrganizationalUnit",
                                    lambda org: identifiers.unit_arn(org, organizational_unit_id))
    return Unit(organization, _unit(organization, organizational_unit_id))


@iam_operation("UpdateOrganizationalUnit", event_source=EVENT_SOURCE)
def update_organizational_unit(*, caller: Caller, organizational_unit_id: str, name: str | None = None) -> Unit:
    organization = organization_for(caller, "UpdateOrganizationalUnit",
                                    lambda org: identifiers.unit_arn(org, organizational_unit_id))
    unit = _unit(organization, organizational_unit_id, lock=True)
    if name is not None and name != unit.name:
        unit.name = name
        try:
            with transaction.atomic():
                unit.save(update_fields=["name"])
        except IntegrityError:
            raise DuplicateOrganizationalUnitException() from None
    return Unit(organization, unit)


@iam_operation("DeleteOrganizationalUnit", event_source=EVENT_SOURCE)
def delete_organizational_unit(*, caller: Caller, organizational_unit_id: str) -> None:
    organization = organization_for(caller, "DeleteOrganizationalUnit",
                                    lambda org: identifiers.unit_arn(org, organizational_unit_id), lock=True)
    unit = _unit(organization, organizational_unit_id, lock=True)
    if unit.children.exists() or Account.objects.filter(parent_unit=unit).exists():
        raise OrganizationalUnitNotEmptyException()
    PolicyAttachment.objects.filter(target_id=unit.id).delete()
    OrganizationTag.objects.filter(resource_id=unit.id).delete()
    unit.delete()


@iam_operation("ListOrganizationalUnitsForParent", event_source=EVENT_SOURCE)
def list_organizational_units_for_parent(*, caller: Caller, parent_id: str | None = None,
                                         next_token: str | None = None, max_results: int | None = None
                                         ) -> tuple[Organization, list, str | None]:
    """The OUs directly under a parent (the root when none is named)."""
    organization = organization_for(caller, "ListOrganizationalUnitsForParent")
    parent = parent_unit(organization, parent_id or organization.root_id)
    units = OrganizationalUnit.objects.filter(organization=organization, parent=parent)
    return (organization, *page(units, key="id", next_token=next_token, max_results=max_results))


@iam_operation("ListChildren", event_source=EVENT_SOURCE)
def list_children(*, caller: Caller, parent_id: str, child_type: str, next_token: str | None = None,
                  max_results: int | None = None) -> tuple[list[str], str | None]:
    """The ids of the parent's OUs (ORGANIZATIONAL_UNIT) or accounts (ACCOUNT)."""
    organization = organization_for(caller, "ListChildren")
    parent = parent_unit(organization, parent_id)
    if child_type == "ACCOUNT":
        rows = Account.objects.filter(organization=organization, parent_unit=parent)
    else:
        rows = OrganizationalUnit.objects.filter(organization=organization, parent=parent)
    items, token = page(rows, key="id", next_token=next_token, max_results=max_results)
    return [item.id for item in items], token


@iam_operation("ListParents", event_source=EVENT_SOURCE)
def list_parents(*, caller: Caller, child_id: str) -> list[tuple[str, str]]:
    """The one parent of an OU or an account: [(id, ROOT or ORGANIZATIONAL_UNIT)]."""
    organization = organization_for(caller, "ListParents")
    if child_id.startswith("ou-"):
        unit = OrganizationalUnit.objects.filter(organization=organization, pk=child_id).first()
        parent_id = unit.parent_id if unit else None
        found = unit is not None
    else:
        account = Account.objects.filter(organization=organization, pk=child_id).first()
        parent_id = account.parent_unit_id if account else None
        found = account is not None
    if not found:
        raise ChildNotFoundException()
    if parent_id is None:
        return [(organization.root_id, "ROOT")]
    return [(parent_id, "ORGANIZATIONAL_UNIT")]
