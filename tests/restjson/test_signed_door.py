"""The REST-JSON door's signed services (IAM Access Analyzer): routes from botocore's model, SigV4 for
`access-analyzer`, members from path labels, query string and body, and AWS's errors, through boto3."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.exceptions import ClientError

from iam_console.errors import NoSuchEntity
from iam_console.restjson import registry
from iam_console.restjson.routes import SERVICES, service_model
from tests.query.conftest import NO_RETRIES, client_for
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db
ANALYZER_ARN = "arn:aws:access-analyzer:us-east-1:123456789012:analyzer/team-analyzer"


@pytest.fixture
def analyzer_client(transactional_db, live_server, root_credentials):
    def make(*, validate: bool = True, key: tuple[str, str] | None = None):
        key = key or (root_credentials.access_key_id, root_credentials.secret_access_key)
        return client_for(live_server, "accessanalyzer", *key, validate=validate)
    return make


@pytest.fixture
def handlers():
    """Register handlers for one test: {operation: handler(caller, params)}; the calls they saw are kept."""
    registry.implemented("accessanalyzer")  # the real handlers first: these stand in for them during the test only
    replaced, seen = {}, []

    def register(operation: str, answer):
        def handler(caller, params):
            seen.append((operation, caller, params))
            return answer(params) if callable(answer) else answer
        if operation not in replaced:
            replaced[operation] = registry.lookup("accessanalyzer", operation)
            registry.unregister("accessanalyzer", operation)
        registry.operation("accessanalyzer", operation)(handler)

    register.seen = seen
    yield register
    for operation, real in replaced.items():
        registry.unregister("accessanalyzer", operation)
        if real is not None:
            registry.operation("accessanalyzer", operation, signed=real.signed)(real.handler)


def test_the_signed_service_is_named_as_its_model_names_itself():
    metadata = service_model("accessanalyzer").metadata
    assert metadata["protocol"] == "rest-json"
    assert metadata["signingName"] == SERVICES["accessanalyzer"].signing_name == "access-analyzer"


def test_an_arn_in_a_path_label_and_a_map_in_the_body_reach_the_handler(analyzer_client, handlers, root):
    handlers("TagResource", {})
    analyzer_client().tag_resource(resourceArn=ANALYZER_ARN, tags={"team": "identity", "env": "prod"})
    operation, caller, params = handlers.seen[-1]
    assert params == {"resourceArn": ANALYZER_ARN, "tags": {"team": "identity", "env": "prod"}}
    assert caller.account_id == root.account_id


def test_query_members_are_typed_and_timestamps_parse_in_boto3(analyzer_client, handlers):
    created = datetime(2026, 12, 1, 8, 30, 15, tzinfo=UTC)
    handlers("ListAnalyzers", {"analyzers": [{"arn": ANALYZER_ARN, "name": "team-analyzer", "type": "ACCOUNT",
                                              "createdAt": created, "status": "ACTIVE", "undeclared": "dropped"}],
                               "nextToken": "t2"})
    answer = analyzer_client().list_analyzers(type="ACCOUNT", maxResults=5, nextToken="t1")
    assert handlers.seen[-1][2] == {"type": "ACCOUNT", "maxResults": 5, "nextToken": "t1"}
    assert answer["analyzers"][0]["createdAt"] == created
    assert "undeclared" not in answer["analyzers"][0]
    assert answer["nextToken"] == "t2"


def test_a_list_in_the_query_string_is_read_whole(analyzer_client, handlers):
    handlers("UntagResource", {})
    analyzer_client().untag_resource(resourceArn=ANALYZER_ARN, tagKeys=["team", "env"])
    assert handlers.seen[-1][2] == {"resourceArn": ANALYZER_ARN, "tagKeys": ["team", "env"]}


def test_a_constraint_broken_is_a_validation_exception_with_its_reason(analyzer_client, handlers):
    handlers("ListAnalyzers", {"analyzers": []})
    with pytest.raises(ClientError) as raised:
        analyzer_client(validate=False).list_analyzers(type="EVERYTHING")
    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (400, "ValidationException")
    assert error["reason"] == "fieldValidationFailed"
    assert not handlers.seen  # refused before the handler ran


def test_a_wrong_json_type_in_the_body_is_a_serialization_exception(root_credentials, handlers, client):
    handlers("TagResource", {})
    signer = SignedClient(root_credentials.access_key_id, root_credentials.secret_access_key,
                          service="access-analyzer")
    path = "/tags/" + ANALYZER_ARN.replace(":", "%3A").replace("/", "%2F")
    body = json.dumps({"tags": ["not", "a", "map"]}).encode()
    headers = signer.signed_headers("POST", path, body, "application/json")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() not in {"content-type", "host"}}
    response = client.generic("POST", path, data=body, content_type="application/json",
                              HTTP_HOST=signer.host, **extra)
    assert response.status_code == 400
    assert response["x-amzn-ErrorType"] == "SerializationException"
    assert not handlers.seen


def test_a_domain_error_takes_the_models_code_and_status(analyzer_client, handlers):
    def missing(params):
        raise NoSuchEntity(f"Analyzer {params['analyzerName']} not found.")
    handlers("GetAnalyzer", missing)
    client = analyzer_client()
    with pytest.raises(client.exceptions.ResourceNotFoundException) as raised:
        client.get_analyzer(analyzerName="absent")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "absent" in raised.value.response["Error"]["Message"]


def test_an_operation_the_directory_does_not_serve_says_so(analyzer_client):
    with pytest.raises(ClientError) as raised:
        analyzer_client().get_finding_recommendation(analyzerArn=ANALYZER_ARN, id="finding-1")
    assert raised.value.response["Error"]["Code"] == "UnknownOperationException"
    assert "GetFindingRecommendation" in registry.not_implemented("accessanalyzer")


def test_an_unsigned_request_is_refused_before_anything_is_read(client, handlers):
    handlers("ListAnalyzers", {"analyzers": []})
    response = client.get("/analyzer")
    assert response.status_code == 403
    assert response["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    assert not handlers.seen


def test_a_signature_scoped_to_another_service_is_refused(root_credentials, client, handlers):
    handlers("ListAnalyzers", {"analyzers": []})
    signer = SignedClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="iam")
    headers = signer.signed_headers("GET", "/analyzer", b"", "application/json")
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
             if name.lower() not in {"content-type", "host"}}
    response = client.get("/analyzer", HTTP_HOST=signer.host, **extra)
    assert (response.status_code, response["x-amzn-ErrorType"]) == (403, "InvalidSignatureException")
    assert "access-analyzer" in json.loads(response.content)["message"]
    assert not handlers.seen


def test_an_unknown_key_is_refused_as_aws_refuses_it(analyzer_client, handlers):
    handlers("ListAnalyzers", {"analyzers": []})
    with pytest.raises(ClientError) as raised:
        analyzer_client(key=("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")).list_analyzers()
    error = raised.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403,
                                                                                     "UnrecognizedClientException")
    assert not handlers.seen


def test_boto3_reaches_the_door_by_the_service_endpoint_variable(transactional_db, live_server, root_credentials,
                                                                    monkeypatch, handlers):
    handlers("ListAnalyzers", {"analyzers": []})
    monkeypatch.setenv("AWS_ENDPOINT_URL_ACCESSANALYZER", live_server.url)
    session = boto3.session.Session(aws_access_key_id=root_credentials.access_key_id,
                                    aws_secret_access_key=root_credentials.secret_access_key,
                                    region_name="us-east-1")
    client = session.client("accessanalyzer", config=NO_RETRIES)
    assert client.meta.endpoint_url == live_server.url
    assert client.list_analyzers()["analyzers"] == []


def test_a_handler_for_an_operation_the_model_lacks_is_refused():
    with pytest.raises(ValueError):
        registry.operation("accessanalyzer", "DeleteEverything")
    with pytest.raises(ValueError):
        registry.operation("sso", "ListAccounts")  # unsigned: its handler takes the request (handlers.py)
