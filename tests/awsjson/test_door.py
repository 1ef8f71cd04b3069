"""The JSON 1.1 door: targets, signatures, bodies and errors as AWS's JSON services answer them, and boto3."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError

from iam_console.awsjson import registry
from iam_console.awsjson.service_models import SERVICES, loaded_services, service_model
from tests.awsjson.conftest import ORGANIZATIONS_TARGET, JsonClient, json_error
from tests.query.conftest import NO_RETRIES, QueryClient

pytestmark = pytest.mark.django_db


def test_every_served_service_is_named_as_its_model_names_itself():
    for prefix, service in SERVICES.items():
        metadata = service_model(service.name).metadata
        assert (metadata["targetPrefix"], metadata["protocol"]) == (prefix, "json")
        assert metadata.get("signingName", metadata["endpointPrefix"]) == service.signing_name


def test_describe_organization_without_an_organization_says_so(organizations_api):
    response = organizations_api.call("DescribeOrganization")
    assert response["Content-Type"] == "application/x-amz-json-1.1"
    assert response["x-amzn-RequestId"]
    assert json_error(response) == (400, "AWSOrganizationsNotInUseException",
                                    "Your account is not a member of an organization.")


def test_boto3_reaches_the_door_by_endpoint_url(organizations):
    with pytest.raises(ClientError) as raised:
        organizations.describe_organization()
    error = raised.value.response
    assert error["Error"]["Code"] == "AWSOrganizationsNotInUseException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert isinstance(raised.value, organizations.exceptions.AWSOrganizationsNotInUseException)


def test_boto3_reaches_the_door_by_the_service_endpoint_variable(transactional_db, live_server, root_credentials,
                                                                    monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_ORGANIZATIONS", live_server.url)
    session = boto3.session.Session(aws_access_key_id=root_credentials.access_key_id,
                                    aws_secret_access_key=root_credentials.secret_access_key,
                                    region_name="us-east-1")
    client = session.client("organizations", config=NO_RETRIES)
    assert client.meta.endpoint_url == live_server.url
    with pytest.raises(client.exceptions.AWSOrganizationsNotInUseException):
        client.describe_organization()


def test_a_caller_no_policy_allows_is_refused_with_access_denied(make_user):
    user = make_user("nobody", access_key=True)
    response = JsonClient(*user.test_access_key).call("DescribeOrganization")
    status, code, message = json_error(response)
    assert (status, code) == (400, "AccessDeniedException")
    assert "organizations:DescribeOrganization" in message


def test_an_unknown_target_is_an_unknown_operation(organizations_api):
    for target in (f"{ORGANIZATIONS_TARGET}.NoSuchOperation", "AWSOrganizationsV20161128", "Nobody.ListAccounts", "",
                   "x" * 5000):
        assert json_error(organizations_api.call("", target=target))[:2] == (400, "UnknownOperationException")


def test_an_operation_of_the_model_not_implemented_is_unsupported(organizations_api):
    missing = registry.not_implemented("organizations")
    assert "ListHandshakesForAccount" in missing
    status, code, _ = json_error(organizations_api.call("ListHandshakesForAccount"))
    assert (status, code) == (400, "UnsupportedAPIEndpointException")


def test_a_signature_scoped_to_another_service_is_refused_before_any_model_loads(root_credentials):
    client = JsonClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="madeup")
    before = loaded_services()
    status, code, message = json_error(client.call("DescribeOrganization"))
    assert (status, code) == (400, "InvalidSignatureException")
    assert "'organizations'" in message and "madeup" in message
    assert loaded_services() == before
    iam_scoped = JsonClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="iam")
    assert json_error(iam_scoped.call("DescribeOrganization"))[1] == "InvalidSignatureException"


def test_unsigned_and_wrongly_signed_requests_are_refused(root_credentials):
    unsigned = JsonClient(None, None).call("DescribeOrganization", sign=False)
    assert json_error(unsigned)[:2] == (400, "MissingAuthenticationTokenException")
    wrong_secret = JsonClient(root_credentials.access_key_id, "w" * 40).call("DescribeOrganization")
    assert json_error(wrong_secret)[:2] == (400, "InvalidSignatureException")
    unknown_key = JsonClient("AKIAAAAAAAAAAAAAAAAA", "x" * 40).call("DescribeOrganization")
    assert json_error(unknown_key) == (400, "UnrecognizedClientException",
                                       "The security token included in the request is invalid.")


@pytest.mark.parametrize("body", [b"{", b"[]", b'"text"', b"\xff\xfe", b"[" * 100000])
def test_a_body_that_is_not_a_json_object_is_a_serialization_error(organizations_api, body):
    assert json_error(organizations_api.call("DescribeOrganization", body=body))[:2] == (
        400, "SerializationException")


def test_the_door_does_not_take_console_or_query_requests(client, root_credentials):
    """A form POST with an Action is the Query door's; only an X-Amz-Target makes a request this door's."""
    response = QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key).call("ListUsers")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert json.loads(client.post("/", {"x": "1"}, HTTP_X_AMZ_TARGET="Nobody.Op").content)["__type"] == \
        "UnknownOperationException"


def test_the_readme_and_the_docs_list_exactly_the_organizations_operations_not_supported():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = registry.not_implemented("organizations")
    for page in (root / "README.md", root / "docs" / "organization" / "organizations-api.md"):
        listed = page.read_text().split("UnsupportedAPIEndpointException", 1)[1]
        listed = listed.split(":", 1)[1].split(".\n", 1)[0]
        assert sorted(name.strip() for name in listed.replace("\n", " ").split(",")) == missing, page


def test_the_readme_lists_exactly_the_sso_admin_operations_not_supported():
    from pathlib import Path

    import iam_console.awsjson.sso_admin  # noqa: F401 - registers the operations served

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## Identity Center (sso-admin): what is not supported", 1)[1]
    listed = section.split("`UnknownOperationException`:", 1)[1].split(".\n", 1)[0]
    assert sorted(name.strip() for name in listed.replace("\n", " ").split(",")) == \
        registry.not_implemented("sso-admin")
