"""boto3's identitystore client against a live server: the whole model, AWS's errors with their members, and
NextToken pagination through botocore's own paginators."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from identitystore.models import WorkforceUser
from identitystore.services.store import identity_store_of
from tests.query.conftest import client_for


@pytest.fixture
def ids(transactional_db, live_server, root_credentials):
    return client_for(live_server, "identitystore", root_credentials.access_key_id,
                      root_credentials.secret_access_key)


@pytest.fixture
def store_id(root_caller):
    return identity_store_of(root_caller.account_id).id


def test_users_groups_and_memberships_through_boto3(ids, store_id):
    user_id = ids.create_user(
        IdentityStoreId=store_id, UserName="jdoe", DisplayName="John Doe",
        Name={"GivenName": "John", "FamilyName": "Doe"},
        Emails=[{"Value": "jdoe@example.com", "Type": "work", "Primary": True}],
        Extensions={"aws:identitystore:enterprise": {"department": "Finance"}})["UserId"]
    user = ids.describe_user(IdentityStoreId=store_id, UserId=user_id)
    assert user["UserName"] == "jdoe" and user["Name"]["GivenName"] == "John"
    assert user["UserStatus"] == "ENABLED" and "Extensions" not in user
    with_extension = ids.describe_user(IdentityStoreId=store_id, UserId=user_id,
                                       Extensions=["aws:identitystore:enterprise"])
    assert with_extension["Extensions"] == {"aws:identitystore:enterprise": {"department": "Finance"}}
    ids.update_user(IdentityStoreId=store_id, UserId=user_id, Operations=[
        {"AttributePath": "displayName", "AttributeValue": "Johnny Doe"},
        {"AttributePath": "name.givenName", "AttributeValue": "Johnny"}])
    assert ids.describe_user(IdentityStoreId=store_id, UserId=user_id)["DisplayName"] == "Johnny Doe"

    group_id = ids.create_group(IdentityStoreId=store_id, DisplayName="Finance", Description="Money")["GroupId"]
    assert ids.describe_group(IdentityStoreId=store_id, GroupId=group_id)["Description"] == "Money"
    membership_id = ids.create_group_membership(IdentityStoreId=store_id, GroupId=group_id,
                                                MemberId={"UserId": user_id})["MembershipId"]
    assert ids.get_group_membership_id(IdentityStoreId=store_id, GroupId=group_id,
                                       MemberId={"UserId": user_id})["MembershipId"] == membership_id
    described = ids.describe_group_membership(IdentityStoreId=store_id, MembershipId=membership_id)
    assert described["MemberId"] == {"UserId": user_id} and described["GroupId"] == group_id
    other = ids.create_group(IdentityStoreId=store_id, DisplayName="Other")["GroupId"]
    results = ids.is_member_in_groups(IdentityStoreId=store_id, MemberId={"UserId": user_id},
                                      GroupIds=[group_id, other])["Results"]
    assert {(r["GroupId"], r["MembershipExists"]) for r in results} == {(group_id, True), (other, False)}
    assert [m["GroupId"] for m in ids.list_group_memberships_for_member(
        IdentityStoreId=store_id, MemberId={"UserId": user_id})["GroupMemberships"]] == [group_id]
    assert ids.get_user_id(IdentityStoreId=store_id, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": "JDOE"}})["UserId"] == user_id
    assert ids.get_group_id(IdentityStoreId=store_id, AlternateIdentifier={
        "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": "finance"}})["GroupId"] == group_id
    found = ids.list_users(IdentityStoreId=store_id, Filters=[{"AttributePath": "UserName",
                                                               "AttributeValue": "jdoe"}])["Users"]
    assert [u["UserId"] for u in found] == [user_id]
    ids.delete_group_membership(IdentityStoreId=store_id, MembershipId=membership_id)
    ids.delete_group(IdentityStoreId=store_id, GroupId=group_id)
    ids.delete_user(IdentityStoreId=store_id, UserId=user_id)
    assert not WorkforceUser.objects.exists()


def test_errors_are_awss_with_their_members(ids, store_id):
    taken = ids.create_user(IdentityStoreId=store_id, UserName="taken", DisplayName="T")["UserId"]
    with pytest.raises(ClientError) as conflict:
        ids.create_user(IdentityStoreId=store_id, UserName="TAKEN", DisplayName="T")
    assert conflict.value.response["Error"]["Code"] == "ConflictException"
    assert conflict.value.response["Reason"] == "UNIQUENESS_CONSTRAINT_VIOLATION"
    missing = f"{store_id[2:]}-00000000-0000-0000-0000-000000000000"
    with pytest.raises(ids.exceptions.ResourceNotFoundException) as not_found:
        ids.describe_user(IdentityStoreId=store_id, UserId=missing)
    assert not_found.value.response["ResourceType"] == "USER"
    assert not_found.value.response["ResourceId"] == missing
    with pytest.raises(ids.exceptions.ResourceNotFoundException) as no_store:
        ids.list_users(IdentityStoreId="d-0000000000")
    assert no_store.value.response["ResourceType"] == "IDENTITY_STORE"
    with pytest.raises(ids.exceptions.ValidationException):
        ids.create_user(IdentityStoreId=store_id, UserName="two-emails", DisplayName="T",
                        Emails=[{"Value": "a@example.com"}, {"Value": "b@example.com"}])
    with pytest.raises(ids.exceptions.ValidationException):
        ids.update_user(IdentityStoreId=store_id, UserId=taken,
                        Operations=[{"AttributePath": "shoeSize", "AttributeValue": "9"}])
    assert WorkforceUser.objects.count() == 1


def test_pages_follow_next_tokens(ids, store_id):
    for index in range(7):
        ids.create_user(IdentityStoreId=store_id, UserName=f"user{index}", DisplayName=f"User {index}")
    first = ids.list_users(IdentityStoreId=store_id, MaxResults=5)
    assert len(first["Users"]) == 5 and first["NextToken"]
    pages = ids.get_paginator("list_users").paginate(IdentityStoreId=store_id, PaginationConfig={"PageSize": 3})
    assert sorted(user["UserName"] for page in pages for user in page["Users"]) == [f"user{i}" for i in range(7)]


def test_a_user_without_permission_is_denied_and_a_member_account_has_no_store(
        live_server, make_user, make_account, store_id):
    nobody = make_user("nobody", access_key=True)
    client = client_for(live_server, "identitystore", *nobody.test_access_key)
    with pytest.raises(ClientError) as denied:
        client.list_users(IdentityStoreId=store_id)
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    admin = make_account("Member").make_user("admin", access_key=True,
                                             policies=("arn:aws:iam::aws:policy/AdministratorAccess",))
    member = client_for(live_server, "identitystore", *admin.test_access_key)
    with pytest.raises(member.exceptions.ResourceNotFoundException):
        member.list_users(IdentityStoreId=store_id)


def test_the_store_is_described_and_listed_through_boto3(ids, store_id, root_caller):
    arn = f"arn:aws:identitystore::{root_caller.account_id}:identitystore/{store_id}"
    assert ids.list_identity_stores()["IdentityStores"] == [{"IdentityStoreId": store_id, "IdentityStoreArn": arn}]
    described = ids.describe_identity_store(IdentityStoreId=store_id)
    assert (described["IdentityStoreId"], described["IdentityStoreArn"]) == (store_id, arn)
    assert ids.describe_identity_store(IdentityStoreId=arn)["IdentityStoreId"] == store_id
    with pytest.raises(ClientError) as refused:
        ids.describe_identity_store(IdentityStoreId="d-0000000000")
    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as refused:
        ids.list_identity_stores(NextToken="not-a-token")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
