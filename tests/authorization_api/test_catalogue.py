"""The service catalogue: registered services' actions are known to validation, summaries and the API."""

from __future__ import annotations

import json

import pytest

from iam_console.errors import AccessDenied, InvalidInput, ValidationError
from policies.language import actions as engine_catalogue
from policies.services import catalogue
from tests.authorization_api.conftest import policy


def _codes(response) -> list[str]:
    return [finding["issue_code"] for finding in response.json()["findings"]]


def test_registering_a_service_teaches_the_validator_its_actions(root_api, docs_service):
    known = root_api.post("/api/v1/policies/validate", {"policy_document": policy(
        {"Effect": "Allow", "Action": "docs:GetDocument", "Resource": "arn:aws:docs:::document/alice/*"})})
    assert known.status_code == 200, known.content
    assert not [f for f in known.json()["findings"] if "docs" in f["message"] and f["severity"] == "ERROR"]
    typo = root_api.post("/api/v1/policies/validate", {"policy_document": policy(
        {"Effect": "Allow", "Action": "docs:GetDocumnt", "Resource": "*"})})
    messages = " ".join(f["message"] for f in typo.json()["findings"])
    assert "docs:GetDocument" in messages  # the near miss is named, as for iam actions


def test_an_unregistered_service_is_not_known(root_api, db):
    response = root_api.post("/api/v1/policies/validate", {"policy_document": policy(
        {"Effect": "Allow", "Action": "docs:GetDocument", "Resource": "*"})})
    assert "docs" not in engine_catalogue.KNOWN_SERVICES
    assert response.status_code == 200


def test_catalogue_round_trip_through_the_rest_api(root_api, db):
    definition = {"service_prefix": "deploy", "name": "Deployments", "actions": [
        {"name": "StartDeployment", "access_level": "Write", "resource_types": ["application"]},
        {"name": "ListDeployments", "access_level": "List"}],
        "resource_types": [{"name": "application", "arn_format": "arn:${Partition}:deploy:::application/${Name}"}],
        "condition_keys": [{"name": "deploy:Environment", "type": "String"}]}
    created = root_api.post("/api/v1/services", definition)
    assert created.status_code == 201, created.content
    assert created.json()["service_arn"] == "arn:aws:iam::123456789012:service/deploy"
    again = root_api.post("/api/v1/services/", definition)
    assert again.status_code == 200  # registering again replaces: deployments can run it every time
    listed = root_api.get("/api/v1/services")
    assert [s["service_prefix"] for s in listed.json()["services"]] == ["deploy"]
    got = root_api.get("/api/v1/services/deploy")
    assert got.json()["actions"][0]["access_level"] == "Write"
    assert root_api.delete("/api/v1/services/deploy").status_code == 204
    missing = root_api.get("/api/v1/services/deploy")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NoSuchEntity"


def test_summary_groups_a_registered_service_by_access_level(docs_service):
    from iam_console.console.policy_editing import summary_rows

    rows = summary_rows(policy({"Effect": "Allow", "Action": "docs:Get*", "Resource": "*"}))
    docs = [row for row in rows if row["service"] == "docs"]
    assert docs and {level["level"] for level in docs[0]["levels"]} == {"Read"}


@pytest.mark.parametrize(("body", "fragment"), [
    ({"service_prefix": "Docs", "name": "x", "actions": [{"name": "A", "access_level": "Read"}]}, "lower-case"),
    ({"service_prefix": "docs", "name": "x", "actions": []}, "at least one action"),
    ({"service_prefix": "docs", "name": "x", "actions": [{"name": "A", "access_level": "Reading"}]},
     "access_level"),
    ({"service_prefix": "docs", "name": "x", "actions": [{"name": "A", "access_level": "Read",
                                                          "resource_types": ["nope"]}]}, "does not define"),
    ({"service_prefix": "docs", "name": "x", "actions": [{"name": "A", "access_level": "Read"}],
      "resource_types": [{"name": "doc", "arn_format": "arn:aws:s3:::x"}]}, "arn_format"),
    ({"service_prefix": "docs", "name": "x", "actions": [{"name": "A", "access_level": "Read"}],
      "condition_keys": [{"name": "s3:Key"}]}, "must start with docs:"),
    ({"service_prefix": "docs", "name": "x", "actions": "GetDocument"}, "must be a list"),
])
def test_bad_definitions_are_refused_with_what_to_fix(root_caller, body, fragment):
    with pytest.raises(ValidationError) as refused:
        catalogue.put_service_definition(caller=root_caller, **body)
    assert fragment in refused.value.message


def test_the_directorys_own_services_cannot_be_replaced(root_caller):
    with pytest.raises(InvalidInput):
        catalogue.put_service_definition(caller=root_caller, service_prefix="iam", name="x",
                                         actions=[{"name": "CreateUser", "access_level": "Write"}])


def test_registering_needs_permission(make_user, root_caller):
    from iam_console.callers import Caller

    user = make_user("dev")
    with pytest.raises(AccessDenied):
        catalogue.put_service_definition(caller=Caller(principal=user), service_prefix="docs", name="x",
                                         actions=[{"name": "A", "access_level": "Read"}])


def test_non_json_definition_fields_answer_400_not_500(root_api, db):
    response = root_api.post("/api/v1/services", {"service_prefix": "docs", "name": ["x"], "actions": [1]})
    assert response.status_code == 400
    assert json.loads(response.content)["error"]["code"] == "ValidationError"


@pytest.mark.parametrize("prefix", ["s3", "ec2", "lambda", "dynamodb", "sts", "organizations", "execute-api",
                                    "elasticloadbalancing", "monitoring", "access-analyzer", "sso", "kms"])
def test_a_prefix_aws_uses_cannot_be_registered(root_caller, root_api, prefix):
    with pytest.raises(InvalidInput) as refused:
        catalogue.put_service_definition(caller=root_caller, service_prefix=prefix, name="x",
                                         actions=[{"name": "A", "access_level": "Read"}])
    assert "AWS" in refused.value.message
    response = root_api.post("/api/v1/services", {"service_prefix": prefix, "name": "x",
                                                   "actions": [{"name": "A", "access_level": "Read"}]})
    assert (response.status_code, response.json()["error"]["code"]) == (400, "InvalidInput")


@pytest.mark.parametrize("prefix", ["iam-", "-docs", "docs-", "do--cs", "docs_x", "d.ocs", "", "a" * 65])
def test_a_malformed_prefix_cannot_be_registered(root_caller, prefix):
    with pytest.raises(ValidationError):
        catalogue.put_service_definition(caller=root_caller, service_prefix=prefix, name="x",
                                         actions=[{"name": "A", "access_level": "Read"}])


@pytest.mark.parametrize("prefix", ["docs", "deploy", "ledger-2", "acme-billing"])
def test_an_organisations_own_prefix_can_be_registered(root_caller, prefix):
    result = catalogue.put_service_definition(caller=root_caller, service_prefix=prefix, name="x",
                                              actions=[{"name": "A", "access_level": "Read"}])
    assert result.created and result.service.service_prefix == prefix


def test_the_aws_prefixes_come_from_botocores_data():
    from policies.aws_services import aws_service_prefixes

    prefixes = aws_service_prefixes()
    assert len(prefixes) > 300 and {"s3", "ec2", "iam", "sts"} <= prefixes
    assert "docs" not in prefixes
