"""The directory is governed by its own policies, through the REST API, exactly as AWS evaluates them."""

import json

import pytest

from directory.services import boundaries, inline, login_profiles
from tests.policies.conftest import ADMIN, CHANGE_PASSWORD, READ_ONLY, allow, deny, document
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db


def _code(response) -> str:
    return response.json()["error"]["code"]


def test_user_without_policies_is_denied_even_reading_itself(user_api):
    _, api = user_api("alice")
    response = api.get("/api/v1/users/alice/")
    assert response.status_code == 403 and _code(response) == "AccessDenied"
    assert "because no identity-based policy allows the iam:GetUser action" in response.json()["error"]["message"]


def test_read_only_access_lists_and_reads_but_cannot_write(user_api, attach):
    user, api = user_api("auditor")
    attach("auditor", READ_ONLY)
    assert api.get("/api/v1/users/").status_code == 200
    assert api.get("/api/v1/users/auditor/").status_code == 200
    assert api.get("/api/v1/groups/").status_code == 200
    assert api.get(f"/api/v1/policies/{ADMIN}/").status_code == 200
    for response in (api.post("/api/v1/users/", {"user_name": "new"}),
                     api.post("/api/v1/groups/", {"group_name": "g"}),
                     api.delete("/api/v1/users/auditor/")):
        assert response.status_code == 403 and _code(response) == "AccessDenied"


def test_change_password_policy_changes_only_its_own_password(root_caller, user_api, make_user, attach):
    user, api = user_api("alice")
    login_profiles.create_login_profile(caller=root_caller, user_name="alice", password="Old-Passw0rd!")
    make_user("bob", password="Bobs-Passw0rd!")
    attach("alice", CHANGE_PASSWORD)
    response = api.post("/api/v1/me/password/", {"old_password": "Old-Passw0rd!", "new_password": "New-Passw0rd!1"})
    assert response.status_code in (200, 204), response.content
    denied = api.patch("/api/v1/users/bob/login-profile/", {"password": "Stolen-Passw0rd!"})
    assert denied.status_code == 403
    assert api.get("/api/v1/users/").status_code == 403


def test_explicit_deny_on_delete_user_beats_administrator_access(user_api, make_user, attach, customer_policy):
    _, api = user_api("admin")
    attach("admin", ADMIN)
    attach("admin", customer_policy("NoDeletes", deny("iam:DeleteUser")).arn)
    make_user("victim")
    assert api.post("/api/v1/users/", {"user_name": "created"}).status_code == 201
    response = api.delete("/api/v1/users/victim/")
    assert response.status_code == 403
    assert "with an explicit deny in an identity-based policy" in response.json()["error"]["message"]


def test_permissions_boundary_caps_administrator_access(root_caller, user_api, customer_policy, attach):
    _, api = user_api("capped")
    attach("capped", ADMIN)
    boundary = customer_policy("ReadOnlyBoundary", allow(["iam:Get*", "iam:List*"]))
    boundaries.put_user_permissions_boundary(caller=root_caller, user_name="capped",
                                             permissions_boundary=boundary.arn)
    assert api.get("/api/v1/users/").status_code == 200
    response = api.post("/api/v1/users/", {"user_name": "blocked"})
    assert response.status_code == 403
    assert "because no permissions boundary allows the iam:CreateUser action" in response.json()["error"]["message"]
    boundaries.delete_user_permissions_boundary(caller=root_caller, user_name="capped")
    assert api.post("/api/v1/users/", {"user_name": "allowed"}).status_code == 201


def test_source_ip_condition_is_honoured(root_caller, make_user, customer_policy, attach):
    user = make_user("office", access_key=True)
    attach("office", customer_policy("OfficeOnly", allow("iam:ListUsers", Condition={
        "IpAddress": {"aws:SourceIp": "10.20.0.0/16"}})).arn)
    key_id, secret = user.test_access_key
    inside = SignedClient(key_id, secret, remote_addr="10.20.3.4")
    outside = SignedClient(key_id, secret, remote_addr="192.0.2.10")
    assert inside.get("/api/v1/users/").status_code == 200
    assert outside.get("/api/v1/users/").status_code == 403


def test_group_policies_apply_to_members(root_api, user_api):
    _, api = user_api("member")
    assert root_api.post("/api/v1/groups/", {"group_name": "readers"}).status_code == 201
    assert root_api.post("/api/v1/groups/readers/attached-policies/", {"policy_arn": READ_ONLY}).status_code == 204
    assert api.get("/api/v1/users/").status_code == 403
    assert root_api.post("/api/v1/groups/readers/members/", {"user_name": "member"}).status_code in (200, 204)
    assert api.get("/api/v1/users/").status_code == 200


def test_policy_variable_scopes_access_to_the_callers_own_user(root_caller, user_api, make_user):
    _, api = user_api("alice")
    make_user("bob")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="self",
                           policy_document=document(allow("iam:GetUser",
                                                          "arn:aws:iam::123456789012:user/${aws:username}")))
    assert api.get("/api/v1/users/alice/").status_code == 200
    assert api.get("/api/v1/users/bob/").status_code == 403


def test_tag_condition_on_create_user(root_caller, user_api):
    _, api = user_api("provisioner")
    inline.put_user_policy(caller=root_caller, user_name="provisioner", policy_name="tagged", policy_document=document(
        allow(["iam:CreateUser", "iam:TagUser"], Condition={"StringEquals": {"aws:RequestTag/team": "blue"}})))
    refused = api.post("/api/v1/users/", {"user_name": "x1", "tags": [{"key": "team", "value": "red"}]})
    assert refused.status_code == 403
    created = api.post("/api/v1/users/", {"user_name": "x2", "tags": [{"key": "team", "value": "blue"}]})
    assert created.status_code == 201


def test_validate_endpoint_reports_findings_with_positions(root_api):
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "iam:CreatUser", "Resource": "*"}]\n}'
    body = root_api.post("/api/v1/policies/validate", {"policy_document": text, "policy_type": "IDENTITY_POLICY"}).json()
    # IAM stores a policy naming an unknown action: the finding is error-level advice, not a refusal.
    assert body["valid"] is True
    finding = next(f for f in body["findings"] if f["severity"] == "ERROR")
    assert finding["line"] == 3 and "iam:CreateUser" in finding["message"] and finding["blocking"] is False
    assert set(finding) == {"severity", "issue_code", "message", "line", "column", "path", "blocking"}


def test_simulate_custom_policy_names_the_deciding_statement(root_api):
    policies = [document({"Sid": "ReadAll", **allow("iam:Get*")}),
                document({"Sid": "NoRoot", **deny("iam:GetUser", "arn:aws:iam::123456789012:user/admin")})]
    response = root_api.post("/api/v1/policies/simulate", {
        "policy_input_list": policies, "action_names": ["iam:GetUser", "iam:DeleteUser", "s3:GetObject"],
        "resource_arns": ["arn:aws:iam::123456789012:user/admin", "arn:aws:iam::123456789012:user/bob"]})
    assert response.status_code == 200, response.content
    results = {(r["action"], r["resource"].rsplit("/", 1)[1]): r for r in response.json()["results"]}
    assert results[("iam:GetUser", "admin")]["decision"] == "explicitDeny"
    assert results[("iam:GetUser", "admin")]["matched_statements"][0]["sid"] == "NoRoot"
    assert results[("iam:GetUser", "bob")]["decision"] == "allowed"
    assert results[("iam:GetUser", "bob")]["matched_statements"][0]["policy"] == "PolicyInputList.1"
    assert results[("iam:DeleteUser", "bob")]["decision"] == "implicitDeny"
    assert results[("s3:GetObject", "bob")]["decision"] == "implicitDeny"


def test_simulate_custom_policy_with_caller_arn_and_context(root_api):
    policy = document(allow("s3:GetObject", "arn:aws:s3:::bucket/${aws:username}/*",
                            Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    request = {"policy_input_list": [policy], "action_names": ["s3:GetObject"],
               "resource_arns": ["arn:aws:s3:::bucket/alice/report.csv"],
               "caller_arn": "arn:aws:iam::123456789012:user/alice"}
    without_mfa = root_api.post("/api/v1/policies/simulate", request).json()["results"][0]
    with_mfa = root_api.post("/api/v1/policies/simulate", {**request, "context_entries": [
        {"context_key_name": "aws:MultiFactorAuthPresent", "context_key_values": ["true"],
         "context_key_type": "boolean"}]}).json()["results"][0]
    assert without_mfa["decision"] == "implicitDeny" and with_mfa["decision"] == "allowed"


def test_simulate_principal_policy_uses_the_users_effective_policies(root_api, make_user, attach):
    make_user("alice")
    attach("alice", READ_ONLY)
    response = root_api.post("/api/v1/users/alice/simulate", {"action_names": ["iam:ListUsers", "iam:CreateUser"]})
    decisions = {r["action"]: r["decision"] for r in response.json()["results"]}
    assert decisions == {"iam:ListUsers": "allowed", "iam:CreateUser": "implicitDeny"}


def test_create_policy_with_malformed_document_returns_400_with_findings(root_api):
    response = root_api.post("/api/v1/policies/", {"policy_name": "Bad", "policy_document": '{"Statement": ['})
    assert response.status_code == 400 and _code(response) == "MalformedPolicyDocument"
    assert response.json()["error"]["details"]["findings"][0]["issue_code"] == "JSON_SYNTAX_ERROR"


def test_policy_lifecycle_over_the_api(root_api):
    created = root_api.post("/api/v1/policies/", {"policy_name": "Ops", "path": "/ops/",
                                                  "policy_document": document(allow("iam:ListUsers"))})
    assert created.status_code == 201
    arn = created.json()["policy"]["arn"]
    assert arn == "arn:aws:iam::123456789012:policy/ops/Ops"
    version = root_api.post(f"/api/v1/policies/{arn}/versions/", {
        "policy_document": document(allow(["iam:ListUsers", "iam:ListGroups"])), "set_as_default": True})
    assert version.status_code == 201 and version.json()["policy_version"]["version_id"] == "v2"
    assert root_api.get(f"/api/v1/policies/{arn}/").json()["policy"]["default_version_id"] == "v2"
    fetched = root_api.get(f"/api/v1/policies/{arn}/versions/v1/").json()["policy_version"]
    assert json.loads(fetched["policy_document"])["Statement"][0]["Action"] == "iam:ListUsers"
    assert root_api.delete(f"/api/v1/policies/{arn}/versions/v2/").status_code == 409
    assert root_api.put(f"/api/v1/policies/{arn}/default-version/", {"version_id": "v1"}).status_code == 200
    assert root_api.delete(f"/api/v1/policies/{arn}/versions/v2/").status_code == 204
    assert root_api.delete(f"/api/v1/policies/{arn}/").status_code == 204
    assert root_api.get(f"/api/v1/policies/{arn}/").status_code == 404


def test_self_service_policies_cover_users_with_a_path(root_caller, make_user):
    user = make_user("dana", path="/eng/team/", access_key=True,
                     policies=("arn:aws:iam::aws:policy/IAMUserSelfManageCredentials",))
    api = SignedClient(*user.test_access_key)
    assert api.get("/api/v1/users/dana/").status_code == 200
    assert api.get("/api/v1/me/access-keys/").status_code == 200


def test_list_entities_for_policy_names_users_groups_and_roles(root_caller, root_api, make_user, customer_policy):
    from directory.services import role_policies, roles

    policy = customer_policy("Shared", allow("iam:GetUser"))
    make_user("alice", policies=(policy.arn,))
    trust = document({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                      "Action": "sts:AssumeRole"})
    roles.create_role(caller=root_caller, role_name="Deployer", assume_role_policy_document=trust)
    role_policies.attach_role_policy(caller=root_caller, role_name="Deployer", policy_arn=policy.arn)
    role_policies.put_role_permissions_boundary(caller=root_caller, role_name="Deployer",
                                                permissions_boundary=policy.arn)
    body = root_api.get(f"/api/v1/policies/{policy.arn}/entities/").json()
    assert [u["user_name"] for u in body["policy_users"]] == ["alice"]
    assert [r["role_name"] for r in body["policy_roles"]] == ["Deployer"]
    assert [r["role_name"] for r in body["permissions_boundary_roles"]] == ["Deployer"]


def test_delegated_admin_may_create_users_only_with_the_required_boundary(root_caller, user_api, customer_policy):
    """AWS's delegated-administration pattern: CreateUser allowed only with iam:PermissionsBoundary = the cap."""
    cap = customer_policy("DeveloperCap", allow(["iam:Get*", "iam:List*"]))
    _, api = user_api("delegate")
    inline.put_user_policy(caller=root_caller, user_name="delegate", policy_name="delegated", policy_document=document(
        allow(["iam:CreateUser", "iam:PutUserPermissionsBoundary"],
              Condition={"StringEquals": {"iam:PermissionsBoundary": cap.arn}}),
        allow(["iam:GetUser"])))
    without = api.post("/api/v1/users/", {"user_name": "free"})
    assert without.status_code == 403
    created = api.post("/api/v1/users/", {"user_name": "capped", "permissions_boundary": cap.arn})
    assert created.status_code == 201, created.content
    assert created.json()["user"]["permissions_boundary"] == {
        "permissions_boundary_type": "PermissionsBoundaryPolicy", "permissions_boundary_arn": cap.arn}
    fetched = api.get("/api/v1/users/capped/").json()["user"]
    assert fetched["permissions_boundary"]["permissions_boundary_arn"] == cap.arn


def test_simulation_names_the_source_of_each_deciding_statement(root_caller, root_api, make_user, attach):
    from directory.services import groups

    make_user("alice")
    attach("alice", READ_ONLY)
    groups.create_group(caller=root_caller, group_name="ops")
    groups.add_user_to_group(caller=root_caller, group_name="ops", user_name="alice")
    inline.put_group_policy(caller=root_caller, group_name="ops", policy_name="ops-create",
                            policy_document=document({"Sid": "CreateUsers", **allow("iam:CreateUser")}))
    results = root_api.post("/api/v1/users/alice/simulate", {"action_names": ["iam:ListUsers", "iam:CreateUser"]})
    matched = {r["action"]: r["matched_statements"][0] for r in results.json()["results"]}
    assert (matched["iam:ListUsers"]["source_policy_type"], matched["iam:ListUsers"]["policy"]) == (
        "aws-managed", READ_ONLY)
    assert (matched["iam:CreateUser"]["source_policy_type"], matched["iam:CreateUser"]["group_name"],
            matched["iam:CreateUser"]["policy"], matched["iam:CreateUser"]["sid"]) == (
        "group", "ops", "ops-create", "CreateUsers")
