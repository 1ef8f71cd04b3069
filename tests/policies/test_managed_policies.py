"""Managed policies: versions, defaults, attachments, quotas and deletion rules."""

import json

import pytest

from directory.services import attachments, groups, inline, users
from iam_console.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    UnmodifiableEntity,
)
from policies.models import ManagedPolicy
from policies.services import managed
from tests.policies.conftest import ADMIN, allow, document

pytestmark = pytest.mark.django_db


def test_created_policy_has_anpa_id_arn_and_default_v1(customer_policy):
    policy = customer_policy("ReadUsers", allow("iam:GetUser"), path="/team/")
    assert policy.policy_id.startswith("ANPA") and len(policy.policy_id) == 21
    assert policy.arn == "arn:aws:iam::123456789012:policy/team/ReadUsers"
    assert [(v.version_id, v.is_default_version) for v in policy.versions.all()] == [("v1", True)]


def test_policy_with_an_error_finding_is_refused_with_the_findings(root_caller):
    bad = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreateUser"}]}'
    with pytest.raises(MalformedPolicyDocument) as error:
        managed.create_policy(caller=root_caller, policy_name="Broken", policy_document=bad)
    findings = error.value.details["findings"]
    assert any(f["severity"] == "ERROR" and f["line"] == 1 for f in findings)
    assert not ManagedPolicy.objects.filter(policy_name="Broken").exists()


def test_duplicate_policy_name_is_refused(customer_policy):
    customer_policy("P", allow("iam:GetUser"))
    with pytest.raises(EntityAlreadyExists):
        customer_policy("p", allow("iam:GetUser"))


def test_sixth_version_is_refused_and_versions_are_never_renumbered(root_caller, customer_policy):
    policy = customer_policy("P", allow("iam:GetUser"))
    for action in ["iam:ListUsers", "iam:ListGroups", "iam:ListRoles", "iam:ListPolicies"]:
        managed.create_policy_version(caller=root_caller, policy_arn=policy.arn,
                                      policy_document=document(allow(action)))
    with pytest.raises(LimitExceeded, match="up to 5 versions"):
        managed.create_policy_version(caller=root_caller, policy_arn=policy.arn,
                                      policy_document=document(allow("iam:GetGroup")))
    managed.delete_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v3")
    created = managed.create_policy_version(caller=root_caller, policy_arn=policy.arn, set_as_default=True,
                                            policy_document=document(allow("iam:GetGroup")))
    assert created.version_id == "v6"
    versions = managed.list_policy_versions(caller=root_caller, policy_arn=policy.arn)
    assert [v.version_id for v in versions] == ["v6", "v5", "v4", "v2", "v1"]
    assert [v.version_id for v in versions if v.is_default_version] == ["v6"]


def test_default_version_cannot_be_deleted_and_set_default_moves_it(root_caller, customer_policy):
    policy = customer_policy("P", allow("iam:GetUser"))
    managed.create_policy_version(caller=root_caller, policy_arn=policy.arn, policy_document=document(allow("*")))
    with pytest.raises(DeleteConflict, match="default version"):
        managed.delete_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v1")
    managed.set_default_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v2")
    assert managed.get_policy(caller=root_caller, policy_arn=policy.arn).default_version_id == "v2"
    managed.delete_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v1")
    with pytest.raises(NoSuchEntity):
        managed.get_policy_version(caller=root_caller, policy_arn=policy.arn, version_id="v1")


def test_attached_policy_cannot_be_deleted(root_caller, customer_policy, make_user, attach):
    make_user("alice")
    policy = customer_policy("P", allow("iam:GetUser"))
    attach("alice", policy.arn)
    with pytest.raises(DeleteConflict, match="attached to entities"):
        managed.delete_policy(caller=root_caller, policy_arn=policy.arn)
    attachments.detach_user_policy(caller=root_caller, user_name="alice", policy_arn=policy.arn)
    managed.delete_policy(caller=root_caller, policy_arn=policy.arn)


def test_system_policies_are_read_only(root_caller):
    with pytest.raises(UnmodifiableEntity):
        managed.create_policy_version(caller=root_caller, policy_arn=ADMIN, policy_document=document(allow("*")))
    with pytest.raises(UnmodifiableEntity):
        managed.delete_policy(caller=root_caller, policy_arn=ADMIN)


def test_every_shipped_system_policy_is_valid_and_listed_under_aws_scope(root_caller):
    from policies.language import validate

    shipped = managed.list_policies(caller=root_caller, scope="AWS").items
    names = {p.policy_name for p in shipped}
    assert {"AdministratorAccess", "IAMFullAccess", "IAMReadOnlyAccess", "IAMUserChangePassword",
            "IAMUserSelfManageMFA", "IAMUserSelfManageCredentials", "IAMForceMFA"} <= names
    for policy in shipped:
        text = policy.versions.get(is_default_version=True).document
        assert validate(text).valid, policy.policy_name


def test_eleventh_managed_policy_on_a_user_is_refused(root_caller, customer_policy, make_user, attach):
    make_user("alice")
    for index in range(10):
        attach("alice", customer_policy(f"P{index}", allow("iam:GetUser")).arn)
    with pytest.raises(LimitExceeded, match="PoliciesPerUser: 10"):
        attach("alice", customer_policy("P10", allow("iam:GetUser")).arn)


def test_quota_is_configurable_up_to_twenty(root_caller, customer_policy, make_user, attach, settings):
    settings.IAM_MANAGED_POLICIES_PER_ENTITY = 12
    make_user("alice")
    for index in range(12):
        attach("alice", customer_policy(f"P{index}", allow("iam:GetUser")).arn)
    with pytest.raises(LimitExceeded, match="PoliciesPerUser: 12"):
        attach("alice", customer_policy("P12", allow("iam:GetUser")).arn)


def test_user_inline_policies_share_a_2048_character_budget(root_caller, make_user):
    make_user("alice")
    big = document(allow("iam:GetUser", [f"arn:aws:iam::123456789012:user/{'x' * 40}{i}" for i in range(20)]))
    assert len(json.dumps(json.loads(big), separators=(",", ":"))) < 2048
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="one", policy_document=big)
    with pytest.raises(LimitExceeded, match="2048"):
        inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="two", policy_document=big)
    # Replacing the same policy does not count it twice.
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="ONE", policy_document=big)
    assert inline.list_user_policies(caller=root_caller, user_name="alice") == ["ONE"]


def test_user_with_policies_cannot_be_deleted_until_they_are_removed(root_caller, make_user, attach):
    make_user("alice")
    attach("alice", ADMIN)
    with pytest.raises(DeleteConflict, match="detach all policies"):
        users.delete_user(caller=root_caller, user_name="alice")
    attachments.detach_user_policy(caller=root_caller, user_name="alice", policy_arn=ADMIN)
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="x",
                           policy_document=document(allow("iam:GetUser")))
    with pytest.raises(DeleteConflict, match="delete policies"):
        users.delete_user(caller=root_caller, user_name="alice")


def test_group_with_attached_policy_cannot_be_deleted(root_caller):
    groups.create_group(caller=root_caller, group_name="admins")
    attachments.attach_group_policy(caller=root_caller, group_name="admins", policy_arn=ADMIN)
    with pytest.raises(DeleteConflict, match="detach all policies"):
        groups.delete_group(caller=root_caller, group_name="admins")


def test_effective_policies_load_in_one_query_however_many(root_caller, customer_policy, make_user, attach,
                                                           django_assert_num_queries):
    from directory.policy_sets import user_policy_set

    alice = make_user("alice")
    for index in range(3):
        groups.create_group(caller=root_caller, group_name=f"g{index}")
        groups.add_user_to_group(caller=root_caller, group_name=f"g{index}", user_name="alice")
        attachments.attach_group_policy(caller=root_caller, group_name=f"g{index}",
                                        policy_arn=customer_policy(f"G{index}", allow("iam:GetGroup")).arn)
        inline.put_group_policy(caller=root_caller, group_name=f"g{index}", policy_name="i",
                                policy_document=document(allow("iam:ListGroups")))
        attach("alice", customer_policy(f"U{index}", allow("iam:GetUser")).arn)
    with django_assert_num_queries(2):  # the policy generation (policies.generation), then every policy at once
        policy_set = user_policy_set(alice)
    assert len(policy_set.identity) == 9
