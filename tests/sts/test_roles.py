"""Roles: CreateRole … DeleteRole, trust policy validation, limits, tags and role policies, service and REST API."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from directory.models import Role
from directory.services import role_policies, roles
from iam_console.errors import (
    AccessDenied,
    DeleteConflict,
    EntityAlreadyExists,
    LimitExceeded,
    MalformedPolicyDocument,
    NoSuchEntity,
    ValidationError,
)
from policies.services import managed
from tests.sts.conftest import ADMIN, READ_ONLY, allow, document, role_arn, trust, user_arn

pytestmark = pytest.mark.django_db


def test_create_role_gives_aroa_id_arn_and_default_max_session_duration(root_caller):
    role = roles.create_role(caller=root_caller, role_name="Deployer", path="/ci/",
                             assume_role_policy_document=trust(user_arn("alice")), description="CI deploys")
    assert role.role_id.startswith("AROA") and len(role.role_id) == 21
    assert role.arn == "arn:aws:iam::123456789012:role/ci/Deployer"
    assert role.max_session_duration == 3600
    assert AuditEvent.objects.filter(event_name="CreateRole", outcome="Success").count() == 1


def test_role_names_are_unique_case_insensitively(make_role):
    make_role("Deployer", trust(user_arn("alice")))
    with pytest.raises(EntityAlreadyExists, match="Role with name DEPLOYER already exists."):
        make_role("DEPLOYER", trust(user_arn("alice")))


def test_role_name_longer_than_64_characters_is_refused(root_caller):
    with pytest.raises(ValidationError, match="less than or equal to 64"):
        roles.create_role(caller=root_caller, role_name="r" * 65, assume_role_policy_document=trust(user_arn("a")))


@pytest.mark.parametrize(("seconds", "bound"), [(3599, "greater than or equal to 3600"),
                                                (43201, "less than or equal to 43200")])
def test_max_session_duration_outside_one_to_twelve_hours_is_refused(root_caller, seconds, bound):
    with pytest.raises(ValidationError, match=bound):
        roles.create_role(caller=root_caller, role_name="R", assume_role_policy_document=trust(user_arn("a")),
                          max_session_duration=seconds)


def test_trust_policy_is_validated_as_a_trust_policy(root_caller):
    without_principal = document(allow("sts:AssumeRole"))
    with pytest.raises(MalformedPolicyDocument):
        roles.create_role(caller=root_caller, role_name="R", assume_role_policy_document=without_principal)
    assert not Role.objects.exists()


def test_update_assume_role_policy_replaces_the_trust_policy(root_caller, make_role):
    make_role("R", trust(user_arn("alice")))
    role = roles.update_assume_role_policy(caller=root_caller, role_name="r", policy_document=trust(user_arn("bob")))
    assert user_arn("bob") in role.assume_role_policy_document
    assert role.trust_policy_version == 2


def test_update_role_changes_description_and_max_session_duration(root_caller, make_role):
    make_role("R", trust(user_arn("alice")))
    role = roles.update_role(caller=root_caller, role_name="R", description="new", max_session_duration=43200)
    assert (role.description, role.max_session_duration) == ("new", 43200)


def test_delete_role_is_refused_while_policies_are_attached_or_inline(root_caller, make_role):
    make_role("R", trust(user_arn("alice")), policies=(READ_ONLY,), inline=document(allow("iam:GetUser")))
    with pytest.raises(DeleteConflict, match="must detach all policies first"):
        roles.delete_role(caller=root_caller, role_name="R")
    role_policies.detach_role_policy(caller=root_caller, role_name="R", policy_arn=READ_ONLY)
    with pytest.raises(DeleteConflict, match="must delete policies first"):
        roles.delete_role(caller=root_caller, role_name="R")
    role_policies.delete_role_policy(caller=root_caller, role_name="R", policy_name="inline")
    roles.delete_role(caller=root_caller, role_name="R")
    with pytest.raises(NoSuchEntity, match="The role with name R cannot be found."):
        roles.get_role(caller=root_caller, role_name="R")


def test_eleventh_managed_policy_on_a_role_is_refused(root_caller, make_role):
    make_role("R", trust(user_arn("alice")))
    for index in range(10):
        policy = managed.create_policy(caller=root_caller, policy_name=f"P{index}",
                                       policy_document=document(allow("iam:GetUser")))
        role_policies.attach_role_policy(caller=root_caller, role_name="R", policy_arn=policy.arn)
    extra = managed.create_policy(caller=root_caller, policy_name="P10", policy_document=document(allow("iam:*")))
    with pytest.raises(LimitExceeded, match="PoliciesPerRole: 10"):
        role_policies.attach_role_policy(caller=root_caller, role_name="R", policy_arn=extra.arn)


def test_role_inline_policies_are_limited_to_10240_characters_in_aggregate(root_caller, make_role):
    make_role("R", trust(user_arn("alice")))
    # Each document is about 4,000 non-whitespace characters: two fit, a third does not.
    big = document(allow("iam:GetUser", [f"arn:aws:iam::123456789012:user/{'x' * 40}{i}" for i in range(50)]))
    role_policies.put_role_policy(caller=root_caller, role_name="R", policy_name="a", policy_document=big)
    role_policies.put_role_policy(caller=root_caller, role_name="R", policy_name="b", policy_document=big)
    with pytest.raises(LimitExceeded, match="Maximum policy size of 10240 bytes exceeded for role R"):
        role_policies.put_role_policy(caller=root_caller, role_name="R", policy_name="c", policy_document=big)


def test_delete_policy_attached_to_a_role_is_a_delete_conflict(root_caller, make_role):
    policy = managed.create_policy(caller=root_caller, policy_name="P", policy_document=document(allow("iam:*")))
    make_role("R", trust(user_arn("alice")), policies=(policy.arn,))
    with pytest.raises(DeleteConflict):
        managed.delete_policy(caller=root_caller, policy_arn=policy.arn)


def test_user_without_iam_permissions_cannot_create_a_role(make_user):
    from policies.authorization import Caller

    alice = make_user("alice")
    with pytest.raises(AccessDenied):
        roles.create_role(caller=Caller(principal=alice), role_name="R",
                          assume_role_policy_document=trust(user_arn("alice")))
    assert AuditEvent.objects.filter(event_name="CreateRole", error_code="AccessDenied").count() == 1


def test_list_roles_filters_by_path_prefix(root_caller, make_role):
    make_role("A", trust(user_arn("x")), path="/ops/")
    make_role("B", trust(user_arn("x")))
    page = roles.list_roles(caller=root_caller, path_prefix="/ops/")
    assert [role.role_name for role in page.items] == ["A"]


# --- REST API ---------------------------------------------------------------------------------------

def test_rest_api_creates_gets_and_lists_a_role(root_api):
    created = root_api.post("/api/v1/roles/", {"role_name": "Deployer", "assume_role_policy_document":
                                               trust(user_arn("alice")), "max_session_duration": 7200,
                                               "tags": [{"key": "team", "value": "ops"}],
                                               "permissions_boundary": ADMIN})
    assert created.status_code == 201, created.content
    body = created.json()["role"]
    assert body["arn"] == role_arn("Deployer")
    assert body["max_session_duration"] == 7200
    assert body["tags"] == [{"key": "team", "value": "ops"}]
    assert body["permissions_boundary"] == {"permissions_boundary_type": "PermissionsBoundaryPolicy", "permissions_boundary_arn": ADMIN}
    assert root_api.get("/api/v1/roles/deployer/").json()["role"]["role_id"] == body["role_id"]
    assert [r["role_name"] for r in root_api.get("/api/v1/roles/").json()["roles"]] == ["Deployer"]


def test_rest_api_manages_role_policies_and_trust_policy(root_api, make_role):
    make_role("R", trust(user_arn("alice")))
    assert root_api.post("/api/v1/roles/R/attached-policies/", {"policy_arn": READ_ONLY}).status_code == 204
    listed = root_api.get("/api/v1/roles/R/attached-policies/").json()
    assert listed["attached_policies"] == [{"policy_name": "IAMReadOnlyAccess", "policy_arn": READ_ONLY}]
    assert root_api.delete(f"/api/v1/roles/R/attached-policies/{READ_ONLY}/").status_code == 204
    put = root_api.put("/api/v1/roles/R/inline-policies/Read/", {"policy_document": document(allow("iam:Get*"))})
    assert put.status_code == 200
    assert root_api.get("/api/v1/roles/R/inline-policies/").json()["policy_names"] == ["Read"]
    updated = root_api.put("/api/v1/roles/R/trust-policy/", {"policy_document": trust(user_arn("bob"))})
    assert updated.status_code == 200 and "bob" in updated.json()["role"]["assume_role_policy_document"]
    assert root_api.delete("/api/v1/roles/R/").json()["error"]["code"] == "DeleteConflict"


def test_rest_api_refuses_an_invalid_trust_policy_with_its_findings(root_api):
    response = root_api.post("/api/v1/roles/", {"role_name": "R", "assume_role_policy_document": "{}"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MalformedPolicyDocument"
