"""AWS Identity Store (2020-06-15) through the JSON door: each operation calls identitystore.services."""

from __future__ import annotations

from typing import Any

from iam_console.awsjson.registry import operation
from iam_console.pagination import Page
from identitystore.models import WorkforceGroup, WorkforceMembership, WorkforceUser
from identitystore.services import groups, memberships, stores, users

IDENTITYSTORE = "identitystore"
# CreateUser's members that are neither the name nor the store: the rest of the user, in AWS's names.
_PROFILE_MEMBERS = ("Name", "NickName", "ProfileUrl", "Emails", "Addresses", "PhoneNumbers", "UserType", "Title",
                    "PreferredLanguage", "Locale", "Timezone", "Photos", "Website", "Birthdate", "Roles",
                    "Extensions")


def _kwargs(params: dict, **names: str) -> dict[str, Any]:
    return {argument: params[name] for argument, name in names.items() if params.get(name) is not None}


def _page(params: dict) -> dict[str, Any]:
    return _kwargs(params, next_token="NextToken", max_results="MaxResults")


def _paged(page: Page, list_name: str, render) -> dict[str, Any]:
    answer: dict[str, Any] = {list_name: [render(item) for item in page.items]}
    if page.marker:
        answer["NextToken"] = page.marker
    return answer


def user_out(user: WorkforceUser, extensions: list[str] | None = None) -> dict[str, Any]:
    """A User as AWS answers it; Extensions only when the request named them."""
    profile = user.profile
    out: dict[str, Any] = {
        "IdentityStoreId": user.store_id, "UserId": user.user_id, "UserName": user.user_name,
        "DisplayName": user.display_name or None, "ExternalIds": user.external_ids or None,
        "UserStatus": "ENABLED" if user.active else "DISABLED",
        "CreatedAt": user.created_at, "CreatedBy": user.created_by or None,
        "UpdatedAt": user.updated_at, "UpdatedBy": user.updated_by or None,
    }
    out.update({key: value for key, value in profile.items() if key != "Extensions"})
    wanted = set(extensions or [])
    held = profile.get("Extensions") or {}
    if wanted & set(held):
        out["Extensions"] = {name: held[name] for name in wanted if name in held}
    return out


def group_out(group: WorkforceGroup) -> dict[str, Any]:
    return {"IdentityStoreId": group.store_id, "GroupId": group.group_id, "DisplayName": group.display_name,
            "Description": group.description or None, "ExternalIds": group.external_ids or None,
            "CreatedAt": group.created_at, "CreatedBy": group.created_by or None,
            "UpdatedAt": group.updated_at, "UpdatedBy": group.updated_by or None}


def membership_out(membership: WorkforceMembership) -> dict[str, Any]:
    return {"IdentityStoreId": membership.store_id, "MembershipId": membership.membership_id,
            "GroupId": membership.group.group_id, "MemberId": {"UserId": membership.user.user_id},
            "CreatedAt": membership.created_at, "CreatedBy": membership.created_by or None,
            "UpdatedAt": membership.created_at, "UpdatedBy": membership.created_by or None}


def _store(params: dict) -> str:
    return params.get("IdentityStoreId", "")


# --- the store --------------------------------------------------------------------------------------------------
def store_out(store) -> dict[str, Any]:
    return {"IdentityStoreId": store.id, "IdentityStoreArn": store.arn}


@operation(IDENTITYSTORE, "DescribeIdentityStore")
def describe_identity_store(caller, params: dict) -> dict:
    return store_out(stores.describe_identity_store(caller=caller, identity_store_id=_store(params)))


@operation(IDENTITYSTORE, "ListIdentityStores")
def list_identity_stores(caller, params: dict) -> dict:
    return _paged(stores.list_identity_stores(caller=caller, **_page(params)), "IdentityStores", store_out)


# --- users ---------------------------------------------------------------------------------------------------
@operation(IDENTITYSTORE, "CreateUser")
def create_user(caller, params: dict) -> dict:
    profile = {key: params[key] for key in _PROFILE_MEMBERS if key in params}
    user = users.create_user(caller=caller, identity_store_id=_store(params), user_name=params.get("UserName"),
                             display_name=params.get("DisplayName"), profile=profile)
    return {"IdentityStoreId": user.store_id, "UserId": user.user_id}


@operation(IDENTITYSTORE, "DescribeUser")
def describe_user(caller, params: dict) -> dict:
    user = users.describe_user(caller=caller, identity_store_id=_store(params), user_id=params.get("UserId"))
    return user_out(user, params.get("Extensions"))


@operation(IDENTITYSTORE, "UpdateUser")
def update_user(caller, params: dict) -> dict:
    users.update_user(caller=caller, identity_store_id=_store(params), user_id=params.get("UserId"),
                      operations=params.get("Operations"))
    return {}


@operation(IDENTITYSTORE, "DeleteUser")
def delete_user(caller, params: dict) -> dict:
    users.delete_user(caller=caller, identity_store_id=_store(params), user_id=params.get("UserId"))
    return {}


@operation(IDENTITYSTORE, "ListUsers")
def list_users(caller, params: dict) -> dict:
    page = users.list_users(caller=caller, identity_store_id=_store(params), filters=params.get("Filters"),
                            **_page(params))
    extensions = params.get("Extensions")
    return _paged(page, "Users", lambda user: user_out(user, extensions))


@operation(IDENTITYSTORE, "GetUserId")
def get_user_id(caller, params: dict) -> dict:
    user = users.get_user_id(caller=caller, identity_store_id=_store(params),
                             alternate_identifier=params.get("AlternateIdentifier"))
    return {"IdentityStoreId": user.store_id, "UserId": user.user_id}


# --- groups --------------------------------------------------------------------------------------------------
@operation(IDENTITYSTORE, "CreateGroup")
def create_group(caller, params: dict) -> dict:
    group = groups.create_group(caller=caller, identity_store_id=_store(params),
                                display_name=params.get("DisplayName"), description=params.get("Description"))
    return {"IdentityStoreId": group.store_id, "GroupId": group.group_id}


@operation(IDENTITYSTORE, "DescribeGroup")
def describe_group(caller, params: dict) -> dict:
    return group_out(groups.describe_group(caller=caller, identity_store_id=_store(params),
                                           group_id=params.get("GroupId")))


@operation(IDENTITYSTORE, "UpdateGroup")
def update_group(caller, params: dict) -> dict:
    groups.update_group(caller=caller, identity_store_id=_store(params), group_id=params.get("GroupId"),
                        operations=params.get("Operations"))
    return {}


@operation(IDENTITYSTORE, "DeleteGroup")
def delete_group(caller, params: dict) -> dict:
    groups.delete_group(caller=caller, identity_store_id=_store(params), group_id=params.get("GroupId"))
    return {}


@operation(IDENTITYSTORE, "ListGroups")
def list_groups(caller, params: dict) -> dict:
    page = groups.list_groups(caller=caller, identity_store_id=_store(params), filters=params.get("Filters"),
                              **_page(params))
    return _paged(page, "Groups", group_out)


@operation(IDENTITYSTORE, "GetGroupId")
def get_group_id(caller, params: dict) -> dict:
    group = groups.get_group_id(caller=caller, identity_store_id=_store(params),
                                alternate_identifier=params.get("AlternateIdentifier"))
    return {"IdentityStoreId": group.store_id, "GroupId": group.group_id}


# --- memberships ---------------------------------------------------------------------------------------------
@operation(IDENTITYSTORE, "CreateGroupMembership")
def create_group_membership(caller, params: dict) -> dict:
    membership = memberships.create_group_membership(caller=caller, identity_store_id=_store(params),
                                                     group_id=params.get("GroupId"),
                                                     member_id=params.get("MemberId"))
    return {"IdentityStoreId": membership.store_id, "MembershipId": membership.membership_id}


@operation(IDENTITYSTORE, "DeleteGroupMembership")
def delete_group_membership(caller, params: dict) -> dict:
    memberships.delete_group_membership(caller=caller, identity_store_id=_store(params),
                                        membership_id=params.get("MembershipId"))
    return {}


@operation(IDENTITYSTORE, "DescribeGroupMembership")
def describe_group_membership(caller, params: dict) -> dict:
    return membership_out(memberships.describe_group_membership(caller=caller, identity_store_id=_store(params),
                                                                membership_id=params.get("MembershipId")))


@operation(IDENTITYSTORE, "GetGroupMembershipId")
def get_group_membership_id(caller, params: dict) -> dict:
    membership = memberships.get_group_membership_id(caller=caller, identity_store_id=_store(params),
                                                     group_id=params.get("GroupId"),
                                                     member_id=params.get("MemberId"))
    return {"IdentityStoreId": membership.store_id, "MembershipId": membership.membership_id}


@operation(IDENTITYSTORE, "ListGroupMemberships")
def list_group_memberships(caller, params: dict) -> dict:
    page = memberships.list_group_memberships(caller=caller, identity_store_id=_store(params),
                                              group_id=params.get("GroupId"), **_page(params))
    return _paged(page, "GroupMemberships", membership_out)


@operation(IDENTITYSTORE, "ListGroupMembershipsForMember")
def list_group_memberships_for_member(caller, params: dict) -> dict:
    page = memberships.list_group_memberships_for_member(caller=caller, identity_store_id=_store(params),
                                                         member_id=params.get("MemberId"), **_page(params))
    return _paged(page, "GroupMemberships", membership_out)


@operation(IDENTITYSTORE, "IsMemberInGroups")
def is_member_in_groups(caller, params: dict) -> dict:
    member = params.get("MemberId")
    results = memberships.is_member_in_groups(caller=caller, identity_store_id=_store(params), member_id=member,
                                              group_ids=params.get("GroupIds"))
    return {"Results": [{"GroupId": group_id, "MemberId": member, "MembershipExists": exists}
                        for group_id, exists in results]}
