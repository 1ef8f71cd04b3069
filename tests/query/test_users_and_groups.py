"""Users, groups, membership and user tags through boto3 against a live server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from audit.models import AuditEvent


def error_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_user_lifecycle_with_tags_rename_and_errors(iam):
    created = iam.create_user(UserName="alice", Path="/staff/", Tags=[{"Key": "team", "Value": "blue"}])["User"]
    assert created["Arn"] == "arn:aws:iam::123456789012:user/staff/alice"
    assert created["UserId"].startswith("AIDA") and created["Tags"] == [{"Key": "team", "Value": "blue"}]
    with pytest.raises(ClientError) as excinfo:
        iam.create_user(UserName="ALICE")
    assert error_of(excinfo) == (409, "EntityAlreadyExists")

    user = iam.get_user(UserName="alice")["User"]
    assert user["Path"] == "/staff/" and user["CreateDate"] == created["CreateDate"]
    assert "PasswordLastUsed" not in user

    iam.tag_user(UserName="alice", Tags=[{"Key": "cost", "Value": "42"}, {"Key": "team", "Value": "red"}])
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "cost", "Value": "42"},
                                                            {"Key": "team", "Value": "red"}]
    iam.untag_user(UserName="alice", TagKeys=["cost"])
    assert iam.list_user_tags(UserName="alice") | {"ResponseMetadata": None} == {
        "Tags": [{"Key": "team", "Value": "red"}], "IsTruncated": False, "ResponseMetadata": None}

    iam.update_user(UserName="alice", NewUserName="alice2", NewPath="/")
    assert iam.get_user(UserName="alice2")["User"]["Arn"] == "arn:aws:iam::123456789012:user/alice2"
    with pytest.raises(ClientError) as excinfo:
        iam.get_user(UserName="alice")
    assert error_of(excinfo) == (404, "NoSuchEntity")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.delete_user(UserName="alice")
    iam.delete_user(UserName="alice2")
    assert iam.list_users()["Users"] == []


def test_get_user_without_a_name_as_root_is_the_account(iam):
    root = iam.get_user()["User"]
    assert root["Arn"] == "arn:aws:iam::123456789012:root" and root["UserId"] == "123456789012"


def test_get_user_without_a_name_is_the_caller(aws, make_user):
    user = make_user("selfie", access_key=True, policies=("arn:aws:iam::aws:policy/IAMReadOnlyAccess",))
    mine = aws("iam", key=user.test_access_key).get_user()["User"]
    assert mine["UserName"] == "selfie"


def test_paginator_walks_users_over_several_pages_and_the_waiter_sees_a_new_user(iam, root_caller):
    from directory.services import users

    for index in range(7):
        users.create_user(caller=root_caller, user_name=f"user{index:02d}", path="/bulk/" if index % 2 else "/")
    pages = list(iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 3}))
    assert len(pages) == 3 and [page["IsTruncated"] for page in pages] == [True, True, False]
    names = [user["UserName"] for page in pages for user in page["Users"]]
    assert names == [f"user{index:02d}" for index in range(7)]
    bulk = iam.list_users(PathPrefix="/bulk/")["Users"]
    assert [user["UserName"] for user in bulk] == ["user01", "user03", "user05"]
    limited = iam.list_users(MaxItems=2)
    assert limited["IsTruncated"] and limited["Marker"]
    assert iam.list_users(Marker=limited["Marker"], MaxItems=2)["Users"][0]["UserName"] == "user02"

    iam.create_user(UserName="waited-for")
    iam.get_waiter("user_exists").wait(UserName="waited-for", WaiterConfig={"Delay": 1, "MaxAttempts": 2})


def test_delete_user_with_a_key_is_a_delete_conflict(iam):
    iam.create_user(UserName="keyed")
    iam.create_access_key(UserName="keyed")
    with pytest.raises(ClientError) as excinfo:
        iam.delete_user(UserName="keyed")
    assert error_of(excinfo) == (409, "DeleteConflict")
    assert "access keys" in excinfo.value.response["Error"]["Message"]


def test_groups_membership_and_their_errors(iam):
    iam.create_user(UserName="member")
    group = iam.create_group(GroupName="admins", Path="/ops/")["Group"]
    assert group["Arn"] == "arn:aws:iam::123456789012:group/ops/admins" and group["GroupId"].startswith("AGPA")
    with pytest.raises(iam.exceptions.EntityAlreadyExistsException):
        iam.create_group(GroupName="admins")
    iam.add_user_to_group(GroupName="admins", UserName="member")
    iam.add_user_to_group(GroupName="admins", UserName="member")  # adding a member again succeeds, as in AWS
    answer = iam.get_group(GroupName="admins")
    assert answer["Group"]["GroupName"] == "admins" and [u["UserName"] for u in answer["Users"]] == ["member"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="member")["Groups"]] == ["admins"]
    assert [g["GroupName"] for g in iam.list_groups(PathPrefix="/ops/")["Groups"]] == ["admins"]

    with pytest.raises(ClientError) as excinfo:
        iam.delete_group(GroupName="admins")
    assert error_of(excinfo) == (409, "DeleteConflict")
    iam.update_group(GroupName="admins", NewGroupName="operators")
    iam.remove_user_from_group(GroupName="operators", UserName="member")
    with pytest.raises(ClientError) as excinfo:
        iam.remove_user_from_group(GroupName="operators", UserName="member")
    assert error_of(excinfo) == (404, "NoSuchEntity")
    iam.delete_group(GroupName="operators")
    assert iam.list_groups()["Groups"] == []


def test_eleventh_group_is_limit_exceeded(iam):
    iam.create_user(UserName="joiner")
    for index in range(11):
        iam.create_group(GroupName=f"g{index}")
    for index in range(10):
        iam.add_user_to_group(GroupName=f"g{index}", UserName="joiner")
    with pytest.raises(ClientError) as excinfo:
        iam.add_user_to_group(GroupName="g10", UserName="joiner")
    assert error_of(excinfo) == (409, "LimitExceeded")


def test_a_user_without_permission_is_access_denied_and_the_refusal_is_audited(aws, make_user):
    user = make_user("nobody-special", access_key=True)
    with pytest.raises(ClientError) as excinfo:
        aws("iam", key=user.test_access_key).create_user(UserName="intruder")
    assert error_of(excinfo) == (403, "AccessDenied")
    event = AuditEvent.objects.get(event_name="CreateUser", request_parameters__user_name="intruder")
    assert event.outcome == "Failure" and event.error_code == "AccessDenied" and event.actor_arn == user.arn


def test_group_members_and_groups_page_with_paginators(iam, root_caller):
    from directory.services import groups, users

    groups.create_group(caller=root_caller, group_name="big")
    for index in range(5):
        users.create_user(caller=root_caller, user_name=f"m{index}")
        groups.add_user_to_group(caller=root_caller, group_name="big", user_name=f"m{index}")
        groups.create_group(caller=root_caller, group_name=f"extra{index}")
    pages = list(iam.get_paginator("get_group").paginate(GroupName="big", PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3 and all(page["Group"]["GroupName"] == "big" for page in pages)
    assert [user["UserName"] for page in pages for user in page["Users"]] == [f"m{index}" for index in range(5)]
    listed = iam.get_paginator("list_groups").paginate(PaginationConfig={"PageSize": 4}).build_full_result()
    assert len(listed["Groups"]) == 6
