"""The OpenAPI schema matches what the API answers: schemathesis generates requests for every operation, signs
them with SigV4 (the root user's key, so authorization lets them through to the services), and checks each
response: never a 5xx, a status code the operation documents, the documented content type, and the documented
shape."""

from __future__ import annotations

import collections

import hypothesis
import pytest
import requests
import schemathesis
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup

pytestmark = pytest.mark.django_db(transaction=True)

# Examples generated per operation: enough to reach every documented answer, few enough to keep the run short.
EXAMPLES_PER_OPERATION = 8
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class SigV4(requests.auth.AuthBase):
    """Sign a requests call exactly as AWS SDKs do (botocore)."""

    def __init__(self, access_key_id: str, secret_access_key: str) -> None:
        self.credentials = Credentials(access_key_id, secret_access_key)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = {k: v for k, v in request.headers.items() if k.lower() in {"content-type"}}
        signed = AWSRequest(method=request.method, url=request.url, data=body, headers=headers)
        SigV4Auth(self.credentials, "iam", "us-east-1").add_auth(signed)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256"):
            if name in signed.headers:
                request.headers[name] = signed.headers[name]
        return request


def test_every_operation_answers_as_its_schema_says(live_server, root_credentials):
    raw = requests.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    assert raw.status_code == 200
    schema = schemathesis.openapi.from_dict(with_policy_arns(raw.json()))
    auth = SigV4(root_credentials.access_key_id, root_credentials.secret_access_key)
    session = requests.Session()
    counts: collections.Counter = collections.Counter()
    failures: dict[str, list[str]] = collections.defaultdict(list)
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:
        exercise_operation(operation, live_server.url, session, auth, counts, failures)

    print(f"schemathesis: {len(operations)} operations, {counts['requests']} requests, {counts['5xx']} 5xx, "
          f"{counts['violations']} schema violations")
    for label, found in sorted(failures.items()):
        print("FAILURE", label, found)
    assert dict(failures) == {}
    assert counts["5xx"] == 0
    assert len(operations) >= 70 and counts["requests"] >= 5 * len(operations)


# A policy ARN travels in the path unescaped, slashes and all (as AWS's own ARNs do), which no generator will
# produce from a pattern: the run draws it from real ARNs, one that exists and one that does not.
POLICY_ARNS = ["arn:aws:iam::aws:policy/IAMReadOnlyAccess", "arn:aws:iam::123456789012:policy/no-such-policy"]


# Identity providers' ARNs travel the same way: drawn from ARNs of the right kind that do not exist.
PROVIDER_ARNS = {"oidc-providers": ["arn:aws:iam::123456789012:oidc-provider/token.example.com"],
                 "saml-providers": ["arn:aws:iam::123456789012:saml-provider/ExampleIdP"]}


def _sample_arns(path: str, name: str) -> list[str] | None:
    if name == "policy_arn":
        return POLICY_ARNS
    if name == "arn":
        return next((arns for kind, arns in PROVIDER_ARNS.items() if f"/{kind}/" in path), None)
    return None


def with_policy_arns(document: dict) -> dict:
    for path, item in document["paths"].items():
        parameters = list(item.get("parameters", []))
        for operation in item.values():
            parameters += operation.get("parameters", []) if isinstance(operation, dict) else []
        for parameter in parameters:
            arns = _sample_arns(path, parameter.get("name", "")) if parameter.get("in") == "path" else None
            if arns:
                parameter["schema"] = {"type": "string", "enum": arns}
    return document


def exercise_operation(operation, base_url: str, session, auth, counts, failures) -> None:
    label = f"{operation.method.upper()} {operation.path}"

    @hypothesis.settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                         suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    @hypothesis.given(case=operation.as_strategy())
    def exercise(case) -> None:
        response = case.call(base_url=base_url, session=session, auth=auth)
        counts["requests"] += 1
        counts["5xx"] += response.status_code >= 500
        try:
            case.validate_response(response, checks=CHECKS)
        except (Exception, FailureGroup) as error:  # noqa: BLE001 - each failure is recorded, the run goes on
            counts["violations"] += 1
            if len(failures[label]) < 2:
                failures[label].append(f"{response.status_code} {response.text[:200]} :: {_describe(error)}")

    try:
        exercise()
    except hypothesis.errors.Unsatisfiable:
        counts["unsatisfiable"] += 1
        failures[label].append("no request could be generated from the schema")


def _describe(error: BaseException) -> str:
    inner = getattr(error, "exceptions", None)
    parts = [str(getattr(e, "title", "")) + ": " + str(getattr(e, "message", e))[:300] for e in inner] if inner else [str(error)]
    return " | ".join(parts)[:600]
