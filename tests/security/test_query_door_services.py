"""The Query door serves IAM and STS only: a request signed for any other service is refused as AWS refuses it
(403 XML) before any service model is loaded, and attacker-chosen names never grow the process's memory."""

from __future__ import annotations

import tracemalloc
from xml.etree import ElementTree

import pytest
from django.test import Client

from iam_console.query import service_models

pytestmark = pytest.mark.django_db

SCOPE_HEADER = ("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/{service}/aws4_request, "
                "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64)


def post_scoped(client: Client, service: str, body: str = "Action=ListUsers&Version=2010-05-08"):
    return client.post("/", body, content_type="application/x-www-form-urlencoded",
                       HTTP_AUTHORIZATION=SCOPE_HEADER.format(service=service), HTTP_X_AMZ_DATE="20240101T000000Z")


def presigned_scoped(client: Client, service: str):
    credential = f"AKIAIOSFODNN7EXAMPLE%2F20240101%2Fus-east-1%2F{service}%2Faws4_request"
    return client.get(f"/?Action=ListUsers&Version=2010-05-08&X-Amz-Algorithm=AWS4-HMAC-SHA256"
                      f"&X-Amz-Credential={credential}&X-Amz-Date=20240101T000000Z&X-Amz-Expires=60"
                      f"&X-Amz-SignedHeaders=host&X-Amz-Signature={'0' * 64}")


def xml_code(response) -> str:
    root = ElementTree.fromstring(response.content)
    namespace = root.tag.split("}")[0].strip("{")
    return root.findtext(f"{{{namespace}}}Error/{{{namespace}}}Code")


@pytest.mark.parametrize("service", ["s3", "lambda", "docs", "no-such-service", "ec2", "organizations",
                                     "IAM-x", "a" * 60])
@pytest.mark.parametrize("send", [post_scoped, presigned_scoped])
def test_a_request_signed_for_another_service_is_a_403_xml_refusal(service, send):
    response = send(Client(), service)
    assert response.status_code == 403, response.content[:300]
    assert response["Content-Type"].startswith("text/xml")
    assert xml_code(response) == "SignatureDoesNotMatch"
    assert b"Credential should be scoped to correct service" in response.content


def test_other_services_names_load_no_model_and_memory_stays_flat():
    client = Client()
    for warm in ("s3", "lambda"):  # the first answers build the refusal's own (IAM) rendering
        post_scoped(client, warm)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        answers = {post_scoped(client, f"svc{index}").status_code for index in range(200)}
        for name in ("s3", "lambda", "docs", "dynamodb", "sagemaker", "ec2"):
            answers.add(post_scoped(client, name).status_code)
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answers == {403}
    assert set(service_models.loaded_services()) <= set(service_models.SERVICES)
    assert after - before < 2_000_000, f"{(after - before) / 1e6:.1f} MB kept after 206 refused names"


def test_only_the_served_services_have_a_model():
    with pytest.raises(LookupError):
        service_models.service_model("s3")
    with pytest.raises(LookupError):
        service_models.operation_names("lambda")
    assert service_models.operation_names("iam") and service_models.operation_names("sts")


def test_the_served_services_still_answer_signed_requests(root_credentials):
    from tests.query.conftest import QueryClient

    key = (root_credentials.access_key_id, root_credentials.secret_access_key)
    assert QueryClient(*key).call("ListUsers").status_code == 200
    assert QueryClient(*key, service="sts").call("GetCallerIdentity").status_code == 200
