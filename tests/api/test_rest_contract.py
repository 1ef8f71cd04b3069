"""One REST contract, as a provisioning script sees it: routes, names, documents, errors and the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from iam_console.rest.base import error_codes

pytestmark = pytest.mark.django_db
DOCS = Path(__file__).resolve().parents[2] / "docs"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


# ---------------------------------------------------------------- routes


@pytest.mark.parametrize("path", ["/api/v1/users", "/api/v1/users/"])
def test_collections_take_either_spelling(root_api, path):
    name = "slash" if path.endswith("/") else "bare"
    assert root_api.post(path, {"user_name": name}).status_code == 201
    assert root_api.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/policies/validate", "/api/v1/policies/validate/"])
def test_action_routes_take_either_spelling(root_api, path):
    assert root_api.post(path, {"policy_document": POLICY}).status_code == 200


def test_every_route_answers_under_both_spellings(root_api):
    assert root_api.get("/api/v1/credential-report/").status_code in (200, 404, 410)
    assert root_api.get("/api/v1/sts/caller-identity/").status_code == 200
    assert root_api.get("/api/v1/me").status_code == 200
    assert root_api.get("/api/v1/health").status_code == 200
    assert error(root_api.get("/api/v1/no-such-route/")) == (404, "InvalidAction")


# ---------------------------------------------------------------- policy documents


def test_policy_document_is_one_name_taking_text_or_an_object(root_api, make_user):
    make_user("alice")
    created = root_api.post("/api/v1/policies/", {"policy_name": "AsObject", "policy_document": POLICY})
    assert created.status_code == 201, created.content
    arn = created.json()["policy"]["arn"]
    # A policy ARN in the path ends where the route does, with or without the trailing slash.
    assert root_api.get(f"/api/v1/policies/{arn}").json() == root_api.get(f"/api/v1/policies/{arn}/").json()
    version = root_api.get(f"/api/v1/policies/{arn}/versions/v1").json()["policy_version"]
    assert json.loads(version["policy_document"]) == POLICY
    assert root_api.put("/api/v1/users/alice/inline-policies/own", {"policy_document": json.dumps(POLICY)}
                        ).status_code in (200, 201, 204)
    validated = root_api.post("/api/v1/policies/validate", {"policy_document": POLICY}).json()
    assert validated == {"valid": True, "findings": []}
    refused = root_api.post("/api/v1/policies/validate", {"document": json.dumps(POLICY)})
    assert error(refused) == (400, "ValidationError")


def test_policy_document_of_another_type_is_a_plain_validation_error(root_api):
    response = root_api.post("/api/v1/policies/simulate", {"policy_input_list": [123], "action_names": ["a:b"]})
    assert error(response) == (400, "ValidationError")
    body = response.json()["error"]
    assert "ErrorDetail" not in body["message"] and "{" not in body["message"]
    assert body["details"]["fields"] == [{"field": "policy_input_list[0]", "message":
                                          "Give the policy as a JSON object or as a string of JSON text."}]


def test_refused_document_has_the_same_shape_from_create_and_simulate(root_api):
    broken = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:CreatUser"}]}
    created = root_api.post("/api/v1/policies/", {"policy_name": "Broken", "policy_document": broken})
    simulated = root_api.post("/api/v1/policies/simulate", {"policy_input_list": [broken],
                                                           "action_names": ["iam:GetUser"]})
    assert error(created) == error(simulated) == (400, "MalformedPolicyDocument")
    create_body, simulate_body = created.json()["error"], simulated.json()["error"]
    assert set(create_body) == set(simulate_body) == {"code", "message", "details", "request_id"}
    assert create_body["details"]["field"] == "policy_document"
    assert simulate_body["details"]["field"] == "policy_input_list[0]"
    assert create_body["details"]["findings"] == simulate_body["details"]["findings"]
    codes = {(f["issue_code"], f["blocking"]) for f in create_body["details"]["findings"]}
    assert codes == {("MISSING_RESOURCE", True), ("UNKNOWN_ACTION", False)}


# ---------------------------------------------------------------- simulation


def simulate(root_api, body: dict) -> list[dict]:
    response = root_api.post("/api/v1/policies/simulate", {"action_names": ["iam:GetUser"], **body})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_context_only_simulation(root_api):
    results = simulate(root_api, {"action_names": ["iam:GetUser", "sts:GetCallerIdentity"]})
    assert [r["decision"] for r in results] == ["implicitDeny", "allowed"]


def test_string_context_key_with_several_values_is_refused(root_api):
    response = root_api.post("/api/v1/policies/simulate", {
        "policy_input_list": [POLICY], "action_names": ["iam:GetUser"],
        "context_entries": [{"context_key_name": "aws:username", "context_key_values": ["a", "b"]}]})
    assert error(response) == (400, "InvalidInput")
    assert "stringList" in response.json()["error"]["message"]


def test_unknown_context_key_type_is_a_validation_error(root_api):
    response = root_api.post("/api/v1/policies/simulate", {
        "policy_input_list": [POLICY], "action_names": ["iam:GetUser"],
        "context_entries": [{"context_key_name": "k", "context_key_values": ["a"], "context_key_type": "text"}]})
    assert error(response) == (400, "ValidationError")


def test_date_context_value_in_epoch_seconds(root_api):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                                                      "Condition": {"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}]}
    (result,) = simulate(root_api, {"policy_input_list": [policy], "context_entries": [
        {"context_key_name": "aws:CurrentTime", "context_key_values": ["1700000000"], "context_key_type": "date"}]})
    assert result["decision"] == "allowed"


def test_simulate_principal_policy_keeps_caller_context(root_api, make_user, root_caller):
    from directory.services import inline

    make_user("alice")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="p", policy_document={
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*",
                                               "Condition": {"StringEquals": {"aws:username": "someone"}}}]})
    response = root_api.post("/api/v1/users/alice/simulate", {"action_names": ["iam:GetUser"], "context_entries": [
        {"context_key_name": "aws:username", "context_key_values": ["someone"], "context_key_type": "string"}]})
    assert response.json()["results"][0]["decision"] == "allowed"


# ---------------------------------------------------------------- errors and the schema


def documented_error_codes() -> dict[str, tuple[str, str, str]]:
    from scripts.docs_reference import errors_page

    table = errors_page().split("## Query API protocol errors", 1)[0]
    return {m.group(1): (m.group(2), m.group(3), m.group(4))
            for m in re.finditer(r"^\| `(\w+)` \| ([\d, ]+) \| (\d+) \| (.*) \|$", table, re.MULTILINE)}


def test_every_error_code_the_api_returns_is_in_the_generated_error_reference_with_its_statuses():
    documented = documented_error_codes()
    codes = error_codes()
    assert set(documented) == set(codes)
    for code, (statuses, _when) in codes.items():
        assert documented[code][0] == ", ".join(str(s) for s in statuses), code
        assert documented[code][2], f"{code} says when it is answered: give its class in errors.py a docstring"
    # The Query API's own statuses: authentication failures are 403 there, an unknown action 400.
    assert documented["InvalidAuthenticationCode"][1] == "403" and documented["InvalidAction"][1] == "400"


def test_every_operation_has_its_own_description_and_components_are_named_once(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    operations = [op for item in schema["paths"].values() for op in item.values()
                  if isinstance(op, dict) and "operationId" in op]
    descriptions = [op.get("description", "") for op in operations]
    assert all(descriptions) and len(set(descriptions)) == len(operations)
    assert not any("Base view" in d for d in descriptions)
    assert not [name for name in schema["components"]["schemas"] if "RequestRequest" in name]
    assert not [path for path in schema["paths"] if path.endswith("/") and path.rstrip("/") in schema["paths"]]


def test_schema_and_docs_are_public_as_the_security_model_says(client):
    assert client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/users/").status_code == 403
    assert "`/api/v1/docs/`: the API's description, no data" in (DOCS / "security" / "model.md").read_text()


def test_documented_client_handles_204_and_json_errors(live_server, root_credentials, make_user):
    source = (DOCS / "clients" / "rest-api.md").read_text().split("```python\nimport json\nimport urllib.error", 1)[1].split("```", 1)[0]
    helper = "import json\nimport urllib.error" + source.split("\n\nprint(", 1)[0]
    namespace = {"ACCESS_KEY_ID": root_credentials.access_key_id,
                 "SECRET_ACCESS_KEY": root_credentials.secret_access_key}
    exec(helper, namespace)  # noqa: S102 - the documentation's own code, run as a reader would
    namespace["BASE"] = live_server.url + "/api/v1/"
    call, api_error = namespace["call"], namespace["APIError"]
    make_user("gone")
    assert call("GET", "users/gone")["user"]["user_name"] == "gone"
    assert call("DELETE", "users/gone") is None
    with pytest.raises(api_error) as failure:
        call("GET", "users/gone")
    assert (failure.value.status, failure.value.code) == (404, "NoSuchEntity")
    with pytest.raises(api_error) as refused:
        call("POST", "policies", {"policy_name": "Bad", "policy_document": {"Statement": []}})
    assert refused.value.code == "MalformedPolicyDocument" and refused.value.details["findings"]
