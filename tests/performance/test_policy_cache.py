"""Each process keeps compiled policy sets, and never decides by one that a change has made stale: every kind of
change to what decides for a principal replaces the policy generation in its own transaction, and the very next
decision reads the new policies. (Several processes and two nodes: test_nodes.py.)"""

from __future__ import annotations

from directory.models import Role, User
from directory.policy_sets import role_policy_set
from directory.services import attachments, boundaries, groups, inline, role_policies
from policies import generation
from policies.authorization import decide
from policies.language import Request, evaluate
from policies.services import managed
from tests.sts.conftest import allow, deny, document

LIST = "iam:ListUsers"


def allowed(principal, action: str = LIST) -> bool:
    return decide(principal, action, "*", {}).allowed


def role_allows(role: Role) -> bool:
    policy_set = role_policy_set(role)
    return evaluate(Request(LIST, "*", {}), policy_set.identity, boundary_policies=policy_set.boundary or None).allowed


def test_an_unchanged_policy_set_is_read_from_the_cache(make_user, root_caller, django_assert_num_queries):
    alice = make_user("alice")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="p", policy_document=document(allow(LIST)))
    assert allowed(alice)
    with django_assert_num_queries(1):  # the generation only: the policies are this process's
        assert allowed(alice)
    generation.forget_all()
    with django_assert_num_queries(2):
        assert allowed(alice)


def test_every_change_to_a_users_policies_is_in_force_on_the_next_decision(make_user, root_caller):
    alice = make_user("alice")
    groups.create_group(caller=root_caller, group_name="staff")

    def step(change, expected: bool) -> None:
        before = generation.current_generation()
        change()
        assert generation.current_generation() != before
        assert allowed(alice) is expected
        assert allowed(User.objects.get(pk=alice.pk)) is expected  # a fresh object: the cache, not the instance

    assert allowed(alice) is False
    step(lambda: inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="p",
                                        policy_document=document(allow(LIST))), True)
    step(lambda: inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="p",
                                        policy_document=document(allow("iam:GetUser"))), False)
    step(lambda: inline.delete_user_policy(caller=root_caller, user_name="alice", policy_name="p"), False)
    policy = managed.create_policy(caller=root_caller, policy_name="list", policy_document=document(allow(LIST)))
    step(lambda: attachments.attach_user_policy(caller=root_caller, user_name="alice", policy_arn=policy.arn), True)
    step(lambda: managed.create_policy_version(caller=root_caller, policy_arn=policy.arn, set_as_default=True,
                                               policy_document=document(deny(LIST))), False)
    step(lambda: managed.set_default_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v1"), True)
    step(lambda: attachments.detach_user_policy(caller=root_caller, user_name="alice", policy_arn=policy.arn), False)
    step(lambda: attachments.attach_group_policy(caller=root_caller, group_name="staff", policy_arn=policy.arn), False)
    step(lambda: groups.add_user_to_group(caller=root_caller, group_name="staff", user_name="alice"), True)
    boundary = managed.create_policy(caller=root_caller, policy_name="bound", policy_document=document(allow("s3:*")))
    step(lambda: boundaries.put_user_permissions_boundary(caller=root_caller, user_name="alice",
                                                          permissions_boundary=boundary.arn), False)
    step(lambda: boundaries.delete_user_permissions_boundary(caller=root_caller, user_name="alice"), True)
    step(lambda: inline.put_group_policy(caller=root_caller, group_name="staff", policy_name="no",
                                         policy_document=document(deny(LIST))), False)
    step(lambda: inline.delete_group_policy(caller=root_caller, group_name="staff", policy_name="no"), True)
    step(lambda: groups.remove_user_from_group(caller=root_caller, group_name="staff", user_name="alice"), False)
    step(lambda: groups.add_user_to_group(caller=root_caller, group_name="staff", user_name="alice"), True)
    step(lambda: attachments.detach_group_policy(caller=root_caller, group_name="staff", policy_arn=policy.arn), False)


def test_every_change_to_a_roles_policies_is_in_force_on_the_next_decision(make_role, root_caller):
    from tests.sts.conftest import trust, user_arn

    make_role("worker", trust(user_arn("alice")))

    def step(change, expected: bool) -> None:
        change()
        assert role_allows(Role.objects.get(role_name="worker")) is expected

    assert role_allows(Role.objects.get(role_name="worker")) is False
    step(lambda: role_policies.put_role_policy(caller=root_caller, role_name="worker", policy_name="p",
                                               policy_document=document(allow(LIST))), True)
    boundary = managed.create_policy(caller=root_caller, policy_name="bound", policy_document=document(allow("s3:*")))
    step(lambda: role_policies.put_role_permissions_boundary(caller=root_caller, role_name="worker",
                                                             permissions_boundary=boundary.arn), False)
    step(lambda: role_policies.delete_role_permissions_boundary(caller=root_caller, role_name="worker"), True)
    step(lambda: role_policies.delete_role_policy(caller=root_caller, role_name="worker", policy_name="p"), False)
    policy = managed.create_policy(caller=root_caller, policy_name="list", policy_document=document(allow(LIST)))
    step(lambda: role_policies.attach_role_policy(caller=root_caller, role_name="worker", policy_arn=policy.arn), True)
    step(lambda: role_policies.detach_role_policy(caller=root_caller, role_name="worker", policy_arn=policy.arn), False)


def test_a_change_another_app_makes_is_announced_with_one_call(make_user, root_caller):
    before = generation.current_generation()
    generation.bump_policy_generation()
    assert generation.current_generation() not in (before, None)
