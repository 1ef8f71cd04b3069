"""The identity store's services: AWS's uniqueness, limits, errors, memberships and the deprovisioning hook."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from audit.models import AuditEvent
from directory.services.users import create_user as create_iam_user
from iam_console.callers import Caller
from iam_console.errors import AccessDenied
from identitystore.deprovisioning import person_deprovisioned
from identitystore.errors import Conflict, Invalid, ResourceNotFound
from identitystore.models import WorkforceUser
from identitystore.services import groups, memberships, users
from identitystore.services.store import identity_store_of

pytestmark = pytest.mark.django_db


def make_person(caller, store, name="jdoe", **kwargs):
    return users.create_user(caller=caller, identity_store_id=store.id, user_name=name,
                             display_name=kwargs.pop("display_name", "John Doe"), **kwargs)


def test_the_store_belongs_to_the_management_account_with_an_aws_shaped_id(root_caller, store, make_account):
    assert re.fullmatch(r"d-[0-9a-f]{10}", store.id)
    assert store.account_id == root_caller.account_id
    assert identity_store_of(root_caller.account_id) == store
    assert identity_store_of(make_account().id) is None


def test_ids_are_formed_as_aws_forms_them_and_the_user_reads_back(root_caller, store):
    user = make_person(root_caller, store, profile={
        "Name": {"GivenName": "John", "FamilyName": "Doe"},
        "Emails": [{"Value": "jdoe@example.com", "Type": "work", "Primary": True}],
        "Extensions": {"aws:identitystore:enterprise": {"department": "Finance"}}},
        external_ids=[{"Issuer": "okta", "Id": "00u1"}])
    assert re.fullmatch(store.id[2:] + r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", user.user_id)
    found = users.describe_user(caller=root_caller, identity_store_id=store.id, user_id=user.user_id)
    assert found.profile["Name"]["GivenName"] == "John"
    assert found.created_by == root_caller.principal.arn
    assert AuditEvent.objects.filter(event_name="CreateUser", event_source="identitystore.amazonaws.com").exists()


def test_user_names_are_unique_case_insensitively_and_nothing_is_written(root_caller, store):
    make_person(root_caller, store, "JDoe")
    with pytest.raises(Conflict) as refused:
        make_person(root_caller, store, "jdoe")
    assert refused.value.reason == "UNIQUENESS_CONSTRAINT_VIOLATION"
    assert WorkforceUser.objects.count() == 1
    assert AuditEvent.objects.filter(event_name="CreateUser", error_code="ConflictException").exists()


def test_external_ids_are_unique_in_the_store(root_caller, store):
    make_person(root_caller, store, "a", external_ids=[{"Issuer": "okta", "Id": "1"}])
    with pytest.raises(Conflict):
        make_person(root_caller, store, "b", external_ids=[{"Issuer": "okta", "Id": "1"}])


@pytest.mark.parametrize("attributes_, fragment", [
    ({"Emails": [{"Value": "a@x"}, {"Value": "b@x"}]}, "Emails"),
    ({"Name": {"Nickname": "x"}}, "no member"),
    ({"Extensions": {"aws:identitystore:other": {}}}, "only supported extension"),
    ({"Title": "x" * 1025}, "1024"),
    ({"Shoe": "9"}, "not an attribute"),
])
def test_attributes_outside_aws_limits_are_refused(root_caller, store, attributes_, fragment):
    with pytest.raises(Invalid, match=fragment):
        make_person(root_caller, store, profile=attributes_)
    assert not WorkforceUser.objects.exists()


@pytest.mark.parametrize("name", ["Administrator", "awsadministrators", "has space", "x" * 129, ""])
def test_reserved_and_malformed_user_names_are_refused(root_caller, store, name):
    with pytest.raises(Invalid):
        make_person(root_caller, store, name)


def test_update_user_applies_attribute_operations(root_caller, store):
    user = make_person(root_caller, store, profile={"Name": {"GivenName": "John"}, "Title": "Clerk"})
    updated = users.update_user(caller=root_caller, identity_store_id=store.id, user_id=user.user_id, operations=[
        {"AttributePath": "displayName", "AttributeValue": "Johnny"},
        {"AttributePath": "name.familyName", "AttributeValue": "Doe"},
        {"AttributePath": "title"},
        {"AttributePath": "aws:identitystore:enterprise.department", "AttributeValue": "IT"},
    ])
    assert updated.display_name == "Johnny"
    assert updated.profile["Name"] == {"GivenName": "John", "FamilyName": "Doe"}
    assert "Title" not in updated.profile
    assert updated.profile["Extensions"] == {"aws:identitystore:enterprise": {"department": "IT"}}


def test_update_to_a_taken_user_name_conflicts(root_caller, store):
    make_person(root_caller, store, "a")
    b = make_person(root_caller, store, "b")
    with pytest.raises(Conflict):
        users.update_user(caller=root_caller, identity_store_id=store.id, user_id=b.user_id,
                          operations=[{"AttributePath": "userName", "AttributeValue": "A"}])


def test_deactivation_and_deletion_end_the_persons_sessions(root_caller, store):
    ended = []

    def record(sender, user, reason, **kwargs):
        ended.append((user.user_name, reason))

    person_deprovisioned.connect(record)
    try:
        user = make_person(root_caller, store)
        users.update_user(caller=root_caller, identity_store_id=store.id, user_id=user.user_id,
                          operations=[{"AttributePath": "userStatus", "AttributeValue": "DISABLED"}])
        users.delete_user(caller=root_caller, identity_store_id=store.id, user_id=user.user_id)
    finally:
        person_deprovisioned.disconnect(record)
    assert ended == [("jdoe", "deactivated"), ("jdoe", "deleted")]


def test_missing_entities_name_their_type_and_id(root_caller, store):
    missing = f"{store.id[2:]}-00000000-0000-0000-0000-000000000000"
    with pytest.raises(ResourceNotFound) as refused:
        users.describe_user(caller=root_caller, identity_store_id=store.id, user_id=missing)
    assert refused.value.details == {"ResourceType": "USER", "ResourceId": missing}
    with pytest.raises(ResourceNotFound) as refused:
        groups.describe_group(caller=root_caller, identity_store_id="d-0000000000", group_id=missing)
    assert refused.value.resource_type == "IDENTITY_STORE"


def test_memberships_lists_and_is_member_in_groups(root_caller, store):
    user = make_person(root_caller, store)
    admins = groups.create_group(caller=root_caller, identity_store_id=store.id, display_name="Admins")
    others = groups.create_group(caller=root_caller, identity_store_id=store.id, display_name="Others")
    member = {"UserId": user.user_id}
    membership = memberships.create_group_membership(caller=root_caller, identity_store_id=store.id,
                                                     group_id=admins.group_id, member_id=member)
    with pytest.raises(Conflict):
        memberships.create_group_membership(caller=root_caller, identity_store_id=store.id,
                                            group_id=admins.group_id, member_id=member)
    assert memberships.get_group_membership_id(caller=root_caller, identity_store_id=store.id,
                                               group_id=admins.group_id, member_id=member) == membership
    results = memberships.is_member_in_groups(caller=root_caller, identity_store_id=store.id, member_id=member,
                                              group_ids=[admins.group_id, others.group_id])
    assert results == [(admins.group_id, True), (others.group_id, False)]
    listed = memberships.list_group_memberships_for_member(caller=root_caller, identity_store_id=store.id,
                                                           member_id=member)
    assert [m.group.display_name for m in listed.items] == ["Admins"]
    groups.delete_group(caller=root_caller, identity_store_id=store.id, group_id=admins.group_id)
    assert not memberships.list_group_memberships_for_member(caller=root_caller, identity_store_id=store.id,
                                                             member_id=member).items


def test_group_display_names_are_unique_and_found_by_get_group_id(root_caller, store):
    group = groups.create_group(caller=root_caller, identity_store_id=store.id, display_name="Finance",
                                external_ids=[{"Issuer": "entra", "Id": "g1"}])
    with pytest.raises(Conflict):
        groups.create_group(caller=root_caller, identity_store_id=store.id, display_name="FINANCE")
    by_name = groups.get_group_id(caller=root_caller, identity_store_id=store.id, alternate_identifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "finance"}})
    by_external = groups.get_group_id(caller=root_caller, identity_store_id=store.id, alternate_identifier={
        "ExternalId": {"Issuer": "entra", "Id": "g1"}})
    assert by_name == by_external == group


def test_list_users_pages_with_next_token_and_filters_on_user_name(root_caller, store):
    for index in range(5):
        make_person(root_caller, store, f"user{index}")
    first = users.list_users(caller=root_caller, identity_store_id=store.id, max_results=3)
    second = users.list_users(caller=root_caller, identity_store_id=store.id, max_results=3,
                              next_token=first.marker)
    assert len(first.items) == 3 and len(second.items) == 2 and second.marker is None
    found = users.list_users(caller=root_caller, identity_store_id=store.id,
                             filters=[{"AttributePath": "UserName", "AttributeValue": "USER3"}])
    assert [user.user_name for user in found.items] == ["user3"]
    with pytest.raises(Invalid):
        users.list_users(caller=root_caller, identity_store_id=store.id, next_token="!!forged")


def test_get_user_id_by_user_name_email_and_external_id(root_caller, store):
    user = make_person(root_caller, store, profile={"Emails": [{"Value": "j@example.com"}]},
                       external_ids=[{"Issuer": "okta", "Id": "00u9"}])
    for identifier in ({"UniqueAttribute": {"AttributePath": "UserName", "AttributeValue": "JDOE"}},
                       {"UniqueAttribute": {"AttributePath": "emails.value", "AttributeValue": "j@example.com"}},
                       {"ExternalId": {"Issuer": "okta", "Id": "00u9"}}):
        assert users.get_user_id(caller=root_caller, identity_store_id=store.id,
                                 alternate_identifier=identifier) == user


def test_an_iam_user_with_no_policy_is_refused_before_anything_is_read(root_caller, store):
    alice = create_iam_user(caller=root_caller, user_name="alice")
    with pytest.raises(AccessDenied):
        make_person(Caller(principal=alice), store)
    assert not WorkforceUser.objects.exists()


def test_a_user_name_lookup_uses_the_unique_index(root_caller, store):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN SELECT 1 FROM identitystore_workforceuser WHERE store_id = %s AND user_name_key = %s",
                       [store.id, "x"])
        plan = " ".join(row[0] for row in cursor.fetchall())
    assert "workforce_user_name_unique" in plan or "Index" in plan
