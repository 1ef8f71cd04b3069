"""Directory rules for users and groups, proved through the services."""

import re

import pytest

from audit.models import AuditEvent
from directory.models import Group, User
from directory.services import access_keys, groups, login_profiles, tags, users
from iam_console.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)

pytestmark = pytest.mark.django_db


def test_created_user_has_aws_shaped_id_and_arn(root_caller):
    user = users.create_user(caller=root_caller, user_name="alice", path="/eng/team/")
    assert re.fullmatch(r"AIDA[A-Z2-7]{17}", user.user_id)
    assert user.arn == "arn:aws:iam::123456789012:user/eng/team/alice"


def test_user_names_are_unique_case_insensitively(root_caller):
    users.create_user(caller=root_caller, user_name="Alice")
    with pytest.raises(EntityAlreadyExists, match="User with name ALICE already exists"):
        users.create_user(caller=root_caller, user_name="ALICE")
    assert User.objects.iam_users("123456789012").count() == 1


def test_lookup_by_name_ignores_case(root_caller):
    users.create_user(caller=root_caller, user_name="Alice")
    assert users.get_user(caller=root_caller, user_name="aLiCe").user_name == "Alice"


@pytest.mark.parametrize("name", ["", "a" * 65, "bad name", "bad/name", "é", "a:b"])
def test_invalid_user_names_are_refused(root_caller, name):
    with pytest.raises(ValidationError):
        users.create_user(caller=root_caller, user_name=name)


@pytest.mark.parametrize("name", ["a", "a" * 64, "x+=,.@_-y", "Bob_99"])
def test_valid_user_names_are_accepted(root_caller, name):
    assert users.create_user(caller=root_caller, user_name=name).user_name == name


@pytest.mark.parametrize("path", ["eng/", "/eng", "/a b/", "/" + "a" * 511 + "/", "//x"])
def test_invalid_paths_are_refused(root_caller, path):
    with pytest.raises(ValidationError):
        users.create_user(caller=root_caller, user_name="alice", path=path)


def test_path_of_512_characters_is_accepted(root_caller):
    path = "/" + "a" * 510 + "/"
    assert users.create_user(caller=root_caller, user_name="alice", path=path).path == path


def test_group_name_limit_is_128(root_caller):
    assert groups.create_group(caller=root_caller, group_name="g" * 128).group_name == "g" * 128
    with pytest.raises(ValidationError):
        groups.create_group(caller=root_caller, group_name="g" * 129)


def test_group_has_agpa_id_and_group_arn(root_caller):
    group = groups.create_group(caller=root_caller, group_name="Admins", path="/ops/")
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", group.group_id)
    assert group.arn == "arn:aws:iam::123456789012:group/ops/Admins"


def test_eleventh_group_is_refused_with_limit_exceeded(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    for index in range(10):
        groups.create_group(caller=root_caller, group_name=f"g{index}")
        groups.add_user_to_group(caller=root_caller, group_name=f"g{index}", user_name="alice")
    groups.create_group(caller=root_caller, group_name="g10")
    with pytest.raises(LimitExceeded, match="GroupsPerUser: 10"):
        groups.add_user_to_group(caller=root_caller, group_name="g10", user_name="alice")


def test_adding_an_existing_member_again_is_harmless(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="alice")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="alice")
    assert groups.get_group(caller=root_caller, group_name="devs").users.items[0].user_name == "alice"


def test_delete_user_is_refused_while_dependents_remain_and_names_each(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    login_profiles.create_login_profile(caller=root_caller, user_name="alice", password="Str0ng-Passw0rd!")
    access_keys.create_access_key(caller=root_caller, user_name="alice")
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="alice")

    with pytest.raises(DeleteConflict, match="must delete login profile first"):
        users.delete_user(caller=root_caller, user_name="alice")
    login_profiles.delete_login_profile(caller=root_caller, user_name="alice")
    with pytest.raises(DeleteConflict, match="must delete access keys first"):
        users.delete_user(caller=root_caller, user_name="alice")
    key = access_keys.list_access_keys(caller=root_caller, user_name="alice")[1][0]
    access_keys.delete_access_key(caller=root_caller, user_name="alice", access_key_id=key.access_key_id)
    with pytest.raises(DeleteConflict, match="must remove users from group first"):
        users.delete_user(caller=root_caller, user_name="alice")
    groups.remove_user_from_group(caller=root_caller, group_name="devs", user_name="alice")
    users.delete_user(caller=root_caller, user_name="alice")
    assert not User.objects.filter(user_name="alice").exists()


def test_delete_group_is_refused_while_it_has_members(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    groups.create_group(caller=root_caller, group_name="devs")
    groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="alice")
    with pytest.raises(DeleteConflict):
        groups.delete_group(caller=root_caller, group_name="devs")
    assert Group.objects.filter(group_name="devs").exists()


def test_rename_moves_the_arn_and_refuses_a_taken_name(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    users.create_user(caller=root_caller, user_name="bob")
    with pytest.raises(EntityAlreadyExists):
        users.update_user(caller=root_caller, user_name="alice", new_user_name="BOB")
    renamed = users.update_user(caller=root_caller, user_name="alice", new_user_name="carol", new_path="/x/")
    assert renamed.arn == "arn:aws:iam::123456789012:user/x/carol"
    with pytest.raises(NoSuchEntity):
        users.get_user(caller=root_caller, user_name="alice")


def test_list_users_pages_with_marker_and_filters_by_path_prefix(root_caller):
    for name in ["d", "a", "c", "b", "e"]:
        users.create_user(caller=root_caller, user_name=name, path="/eng/" if name in "ace" else "/")
    first = users.list_users(caller=root_caller, max_items=2)
    assert [u.user_name for u in first.items] == ["a", "b"] and first.is_truncated
    second = users.list_users(caller=root_caller, max_items=2, marker=first.marker)
    assert [u.user_name for u in second.items] == ["c", "d"]
    third = users.list_users(caller=root_caller, max_items=2, marker=second.marker)
    assert [u.user_name for u in third.items] == ["e"] and not third.is_truncated and third.marker is None
    assert [u.user_name for u in users.list_users(caller=root_caller, path_prefix="/eng/").items] == ["a", "c", "e"]


def test_list_users_does_not_list_the_root_user(root_caller):
    assert users.list_users(caller=root_caller).items == []


def test_garbled_marker_is_refused_with_validation_error(root_caller):
    with pytest.raises(ValidationError, match="marker is not valid"):
        users.list_users(caller=root_caller, marker="%%%")


def test_fifty_first_tag_is_refused(root_caller):
    users.create_user(caller=root_caller, user_name="alice",
                      tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    with pytest.raises(LimitExceeded):
        tags.tag_user(caller=root_caller, user_name="alice", tags=[{"key": "one-more", "value": "v"}])
    # Re-tagging an existing key (any case) is an update, not a new tag.
    tags.tag_user(caller=root_caller, user_name="alice", tags=[{"key": "K1", "value": "new"}])
    values = {t.key: t.value for t in tags.list_user_tags(caller=root_caller, user_name="alice")}
    assert values["K1"] == "new" and len(values) == 50


def test_create_user_with_more_than_fifty_tags_is_refused_and_creates_nothing(root_caller):
    with pytest.raises(LimitExceeded):
        users.create_user(caller=root_caller, user_name="alice",
                          tags=[{"key": f"k{i}", "value": "v"} for i in range(51)])
    assert not User.objects.filter(user_name="alice").exists()


def test_reserved_aws_tag_prefix_is_refused(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    with pytest.raises(Exception, match="reserved prefix aws:"):
        tags.tag_user(caller=root_caller, user_name="alice", tags=[{"key": "aws:team", "value": "x"}])


def test_self_service_policy_reads_own_user_but_not_others(root_caller, make_user):
    from directory.services.attachments import attach_user_policy
    from policies.authorization import Caller

    alice = make_user("alice")
    make_user("bob")
    attach_user_policy(caller=root_caller, user_name="alice",
                       policy_arn="arn:aws:iam::aws:policy/IAMUserSelfManageCredentials")
    caller = Caller(principal=alice)
    assert users.get_user(caller=caller).user_name == "alice"
    with pytest.raises(AccessDenied, match=r"not authorized to perform: iam:GetUser on resource: "
                                           r"arn:aws:iam::123456789012:user/bob"):
        users.get_user(caller=caller, user_name="bob")
    with pytest.raises(AccessDenied):
        users.create_user(caller=caller, user_name="mallory")


def test_every_mutation_and_every_denial_is_audited(root_caller, make_user):
    from policies.authorization import Caller

    alice = make_user("alice")
    with pytest.raises(AccessDenied):
        users.delete_user(caller=Caller(principal=alice, source_ip="10.1.2.3", user_agent="script/1.0"),
                          user_name="alice")
    denied = AuditEvent.objects.get(event_name="DeleteUser")
    assert denied.outcome == "Failure" and denied.error_code == "AccessDenied"
    assert denied.actor_arn == "arn:aws:iam::123456789012:user/alice"
    assert denied.source_ip == "10.1.2.3" and denied.user_agent == "script/1.0"
    assert denied.request_parameters == {"user_name": "alice"}
    created = AuditEvent.objects.get(event_name="CreateUser")
    assert created.outcome == "Success" and created.actor_arn == "arn:aws:iam::123456789012:root"


def test_a_failed_operation_writes_nothing(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    groups.create_group(caller=root_caller, group_name="devs")
    with pytest.raises(NoSuchEntity):
        groups.add_user_to_group(caller=root_caller, group_name="devs", user_name="nobody")
    assert not groups.get_group(caller=root_caller, group_name="devs").users.items
