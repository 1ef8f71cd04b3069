"""Groups of the identity store: CreateGroup, DescribeGroup, UpdateGroup, DeleteGroup, ListGroups, GetGroupId."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from iam_console.operations import iam_operation
from iam_console.pagination import Page
from identitystore import attributes
from identitystore.errors import Conflict, Invalid, ResourceNotFound
from identitystore.models import IdentityStore, WorkforceGroup
from identitystore.services.store import new_resource_id, page, resource_id, store_for
from identitystore.services.users import SOURCE, attribute_filters, unique_attribute
from policies.authorization import Caller, authorize_caller, authorize_unknown


def group_arn(group_id: str) -> str:
    return f"arn:aws:identitystore:::group/{group_id}"


def group_in(store: IdentityStore, caller: Caller, group_id: object, action: str, *,
             for_update: bool = False) -> WorkforceGroup:
    group_id = resource_id(group_id, "GroupId")
    queryset = WorkforceGroup.objects.select_for_update() if for_update else WorkforceGroup.objects
    group = queryset.filter(store=store, group_id=group_id).first()
    if group is None:
        authorize_unknown(group_arn(group_id))
        raise ResourceNotFound("GROUP", group_id, "Group not found.")
    authorize_caller(caller, action, group.arn)
    return group


def _check_unique(store: IdentityStore, group: WorkforceGroup) -> None:
    others = WorkforceGroup.objects.filter(store=store).exclude(pk=group.pk)
    if others.filter(display_name_key=group.display_name.lower()).exists():
        raise Conflict("Duplicate GroupDisplayName")
    for external_id in group.external_ids:
        if others.filter(external_ids__contains=[external_id]).exists():
            raise Conflict("Duplicate ExternalId")


def _save(group: WorkforceGroup) -> None:
    try:
        with transaction.atomic():
            group.save()
    except IntegrityError:
        raise Conflict("Duplicate GroupDisplayName") from None
    group.refresh_from_db(fields=["display_name_key"])


@iam_operation("CreateGroup", event_source=SOURCE)
def create_group(*, caller: Caller, identity_store_id: str, display_name: str, description: str | None = None,
                 external_ids: list[dict] | None = None) -> WorkforceGroup:
    store = store_for(caller, identity_store_id, "identitystore:CreateGroup")
    group = WorkforceGroup(store=store, group_id=new_resource_id(store),
                           display_name=attributes.display_name(display_name),
                           description=attributes.text(description, "Description") if description else "",
                           external_ids=attributes.external_ids(external_ids) if external_ids else [],
                           created_by=caller.principal.arn, updated_by=caller.principal.arn)
    _check_unique(store, group)
    _save(group)
    return group


@iam_operation("DescribeGroup", event_source=SOURCE)
def describe_group(*, caller: Caller, identity_store_id: str, group_id: str) -> WorkforceGroup:
    store = store_for(caller, identity_store_id, "identitystore:DescribeGroup")
    return group_in(store, caller, group_id, "identitystore:DescribeGroup")


def _apply(group: WorkforceGroup, operations: Any) -> None:
    if not isinstance(operations, list) or not 1 <= len(operations) <= 100:
        raise Invalid("Operations must be a list of 1 to 100 attribute operations.")
    for operation in operations:
        if not isinstance(operation, dict) or set(operation) - {"AttributePath", "AttributeValue"}:
            raise Invalid("Each operation holds an AttributePath and, to set it, an AttributeValue.")
        path = operation.get("AttributePath")
        value = operation.get("AttributeValue")
        key = path.lower() if isinstance(path, str) else None
        if key == "displayname":
            if value is None:
                raise Invalid("DisplayName cannot be removed.")
            group.display_name = attributes.display_name(value)
        elif key == "description":
            group.description = attributes.text(value, "Description") if value is not None else ""
        elif key == "externalids":
            group.external_ids = attributes.external_ids(value) if value is not None else []
        else:
            raise Invalid(f"{path} is not an attribute path of a group.")


@iam_operation("UpdateGroup", event_source=SOURCE)
def update_group(*, caller: Caller, identity_store_id: str, group_id: str,
                 operations: list[dict]) -> WorkforceGroup:
    store = store_for(caller, identity_store_id, "identitystore:UpdateGroup")
    group = group_in(store, caller, group_id, "identitystore:UpdateGroup", for_update=True)
    _apply(group, operations)
    _check_unique(store, group)
    group.updated_at, group.updated_by = timezone.now(), caller.principal.arn
    _save(group)
    return group


@iam_operation("DeleteGroup", event_source=SOURCE)
def delete_group(*, caller: Caller, identity_store_id: str, group_id: str) -> None:
    store = store_for(caller, identity_store_id, "identitystore:DeleteGroup")
    group = group_in(store, caller, group_id, "identitystore:DeleteGroup", for_update=True)
    group.delete()  # AWS deletes a group with its memberships


@iam_operation("ListGroups", event_source=SOURCE)
def list_groups(*, caller: Caller, identity_store_id: str, filters: list[dict] | None = None,
                max_results: int | None = None, next_token: str | None = None) -> Page[WorkforceGroup]:
    store = store_for(caller, identity_store_id, "identitystore:ListGroups")
    queryset = WorkforceGroup.objects.filter(store=store)
    for _path, value in attribute_filters(filters, "DisplayName"):
        queryset = queryset.filter(display_name_key=value.lower())
    return page(queryset, key="group_id", next_token=next_token, max_results=max_results)


@iam_operation("GetGroupId", event_source=SOURCE)
def get_group_id(*, caller: Caller, identity_store_id: str, alternate_identifier: dict) -> WorkforceGroup:
    store = store_for(caller, identity_store_id, "identitystore:GetGroupId")
    column, value = unique_attribute(alternate_identifier, {"displayname": "display_name_key"})
    queryset = WorkforceGroup.objects.filter(store=store)
    if column is None:
        group = queryset.filter(external_ids__contains=[value]).first()
    else:
        group = queryset.filter(display_name_key=value.lower()).first()
    if group is None:
        raise ResourceNotFound("GROUP", "", "Group not found.")
    authorize_caller(caller, "identitystore:GetGroupId", group.arn)
    return group
