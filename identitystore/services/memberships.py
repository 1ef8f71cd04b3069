"""Group memberships: Create/Delete/DescribeGroupMembership, GetGroupMembershipId, ListGroupMemberships,
ListGroupMembershipsForMember, IsMemberInGroups."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from iam_console.operations import iam_operation
from iam_console.pagination import Page
from identitystore.errors import Conflict, Invalid, ResourceNotFound
from identitystore.models import IdentityStore, WorkforceGroup, WorkforceMembership
from identitystore.services.groups import group_in
from identitystore.services.store import new_resource_id, page, resource_id, store_for
from identitystore.services.users import SOURCE, user_in
from policies.authorization import Caller, authorize_caller, authorize_unknown

IS_MEMBER_GROUPS_MAX = 100


def member_user_id(member_id: Any) -> str:
    """MemberId is a union with one member today: UserId."""
    if not isinstance(member_id, dict) or set(member_id) != {"UserId"}:
        raise Invalid("MemberId holds a UserId.")
    return resource_id(member_id["UserId"], "MemberId.UserId")


def membership_in(store: IdentityStore, caller: Caller, membership_id: object, action: str
                  ) -> WorkforceMembership:
    membership_id = resource_id(membership_id, "MembershipId")
    membership = WorkforceMembership.objects.select_related("group", "user").filter(
        store=store, membership_id=membership_id).first()
    if membership is None:
        authorize_unknown(f"arn:aws:identitystore:::membership/{membership_id}")
        raise ResourceNotFound("GROUP_MEMBERSHIP", membership_id, "GroupMembership not found.")
    authorize_caller(caller, action, membership.arn)
    return membership


@iam_operation("CreateGroupMembership", event_source=SOURCE)
def create_group_membership(*, caller: Caller, identity_store_id: str, group_id: str,
                            member_id: dict) -> WorkforceMembership:
    store = store_for(caller, identity_store_id, "identitystore:CreateGroupMembership")
    group = group_in(store, caller, group_id, "identitystore:CreateGroupMembership")
    user = user_in(store, caller, member_user_id(member_id), "identitystore:CreateGroupMembership")
    if WorkforceMembership.objects.filter(group=group, user=user).exists():
        raise Conflict("Member and Group relationship already exists.")
    try:
        with transaction.atomic():
            return WorkforceMembership.objects.create(store=store, group=group, user=user,
                                                      membership_id=new_resource_id(store),
                                                      created_by=caller.principal.arn)
    except IntegrityError:
        raise Conflict("Member and Group relationship already exists.") from None


@iam_operation("DeleteGroupMembership", event_source=SOURCE)
def delete_group_membership(*, caller: Caller, identity_store_id: str, membership_id: str) -> None:
    store = store_for(caller, identity_store_id, "identitystore:DeleteGroupMembership")
    membership_in(store, caller, membership_id, "identitystore:DeleteGroupMembership").delete()


@iam_operation("DescribeGroupMembership", event_source=SOURCE)
def describe_group_membership(*, caller: Caller, identity_store_id: str,
                              membership_id: str) -> WorkforceMembership:
    store = store_for(caller, identity_store_id, "identitystore:DescribeGroupMembership")
    return membership_in(store, caller, membership_id, "identitystore:DescribeGroupMembership")


@iam_operation("GetGroupMembershipId", event_source=SOURCE)
def get_group_membership_id(*, caller: Caller, identity_store_id: str, group_id: str,
                            member_id: dict) -> WorkforceMembership:
    store = store_for(caller, identity_store_id, "identitystore:GetGroupMembershipId")
    user_id = member_user_id(member_id)
    group_id = resource_id(group_id, "GroupId")
    membership = WorkforceMembership.objects.select_related("group", "user").filter(
        store=store, group__group_id=group_id, user__user_id=user_id).first()
    if membership is None:
        authorize_unknown(f"arn:aws:identitystore:::group/{group_id}")
        raise ResourceNotFound("GROUP_MEMBERSHIP", "", "GroupMembership not found.")
    authorize_caller(caller, "identitystore:GetGroupMembershipId", membership.arn)
    return membership


@iam_operation("ListGroupMemberships", event_source=SOURCE)
def list_group_memberships(*, caller: Caller, identity_store_id: str, group_id: str,
                           max_results: int | None = None,
                           next_token: str | None = None) -> Page[WorkforceMembership]:
    store = store_for(caller, identity_store_id, "identitystore:ListGroupMemberships")
    group = group_in(store, caller, group_id, "identitystore:ListGroupMemberships")
    queryset = WorkforceMembership.objects.select_related("group", "user").filter(group=group)
    return page(queryset, key="membership_id", next_token=next_token, max_results=max_results)


@iam_operation("ListGroupMembershipsForMember", event_source=SOURCE)
def list_group_memberships_for_member(*, caller: Caller, identity_store_id: str, member_id: dict,
                                      max_results: int | None = None,
                                      next_token: str | None = None) -> Page[WorkforceMembership]:
    store = store_for(caller, identity_store_id, "identitystore:ListGroupMembershipsForMember")
    user = user_in(store, caller, member_user_id(member_id), "identitystore:ListGroupMembershipsForMember")
    queryset = WorkforceMembership.objects.select_related("group", "user").filter(user=user)
    return page(queryset, key="membership_id", next_token=next_token, max_results=max_results)


@iam_operation("IsMemberInGroups", event_source=SOURCE)
def is_member_in_groups(*, caller: Caller, identity_store_id: str, member_id: dict,
                        group_ids: list[str]) -> list[tuple[str, bool]]:
    store = store_for(caller, identity_store_id, "identitystore:IsMemberInGroups")
    user = user_in(store, caller, member_user_id(member_id), "identitystore:IsMemberInGroups")
    if not isinstance(group_ids, list) or not 1 <= len(group_ids) <= IS_MEMBER_GROUPS_MAX:
        raise Invalid(f"GroupIds must be a list of 1 to {IS_MEMBER_GROUPS_MAX} group ids.")
    wanted = [resource_id(group_id, "GroupIds") for group_id in group_ids]
    member_of = set(WorkforceMembership.objects.filter(user=user, group__group_id__in=wanted)
                    .values_list("group__group_id", flat=True))
    return [(group_id, group_id in member_of) for group_id in wanted]


# The most membership changes one request may make (a SCIM PUT or PATCH of a group).
MEMBER_CHANGES_MAX = 1000


def member_ids(group: WorkforceGroup) -> list[str]:
    """The user ids of a group's members, oldest membership first (read after the group was authorized)."""
    return list(WorkforceMembership.objects.filter(group=group).order_by("id").values_list("user__user_id", flat=True))


def set_group_members(*, caller: Caller, identity_store_id: str, group: WorkforceGroup,
                      user_ids: list[str]) -> None:
    """Make the group's members exactly `user_ids`, one CreateGroupMembership or DeleteGroupMembership each
    (each authorized and audited); the caller runs it inside atomic_operations() so that all or none apply."""
    current = WorkforceMembership.objects.filter(group=group).values_list("user__user_id", "membership_id")
    current_ids = dict(current)
    wanted = list(dict.fromkeys(user_ids))
    removed = [membership for user_id, membership in current_ids.items() if user_id not in set(wanted)]
    added = [user_id for user_id in wanted if user_id not in current_ids]
    if len(removed) + len(added) > MEMBER_CHANGES_MAX:
        raise Invalid(f"One request changes at most {MEMBER_CHANGES_MAX} memberships.")
    for membership_id in removed:
        delete_group_membership(caller=caller, identity_store_id=identity_store_id, membership_id=membership_id)
    for user_id in added:
        create_group_membership(caller=caller, identity_store_id=identity_store_id, group_id=group.group_id,
                                member_id={"UserId": user_id})
