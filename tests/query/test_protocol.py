"""The Query protocol itself: routing at `/`, authentication, InvalidAction, ValidationError, the XML envelope."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from audit.models import AuditEvent
from iam_console.query import registry
from tests.query.conftest import QueryClient, xml_error

pytestmark = pytest.mark.django_db

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def test_list_users_answers_aws_xml_with_result_wrapper_member_lists_and_request_id(query, make_user):
    make_user("alice")
    response = query.call("ListUsers")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{{{IAM_NS}}}ListUsersResponse"
    ns = {"i": IAM_NS}
    members = root.findall("i:ListUsersResult/i:Users/i:member", ns)
    assert [m.findtext("i:UserName", namespaces=ns) for m in members] == ["alice"]
    assert members[0].findtext("i:CreateDate", namespaces=ns).endswith("Z")
    assert root.findtext("i:ListUsersResult/i:IsTruncated", namespaces=ns) == "false"
    request_id = root.findtext("i:ResponseMetadata/i:RequestId", namespaces=ns)
    assert request_id and response["x-amzn-RequestId"] == request_id


def test_get_request_with_action_in_the_query_string_is_answered(query, make_user):
    make_user("bob")
    response = query.call("GetUser", method="GET", UserName="bob")
    assert response.status_code == 200
    assert b"<UserName>bob</UserName>" in response.content


def test_unsigned_request_is_refused_with_missing_authentication_token(query):
    response = query.call("ListUsers", sign=False)
    assert xml_error(response) == (403, "MissingAuthenticationToken", "Request is missing Authentication Token")


def test_wrong_secret_is_refused_with_signature_does_not_match(root_credentials):
    client = QueryClient(root_credentials.access_key_id, "x" * 40)
    status, code, _ = xml_error(client.call("ListUsers"))
    assert (status, code) == (403, "SignatureDoesNotMatch")


def test_inactive_key_is_refused_with_invalid_client_token_id(make_user, root_caller):
    from directory.services import access_keys

    user = make_user("carol", access_key=True)
    key_id, secret = user.test_access_key
    access_keys.update_access_key(caller=root_caller, access_key_id=key_id, status="Inactive", user_name="carol")
    status, code, _ = xml_error(QueryClient(key_id, secret).call("GetUser"))
    assert (status, code) == (403, "InvalidClientTokenId")


def test_unknown_action_is_invalid_action_naming_it(query):
    assert xml_error(query.call("Frobnicate")) == (400, "InvalidAction",
                                                   "Could not find operation Frobnicate for version 2010-05-08")


def test_wrong_version_is_invalid_action(query):
    status, code, message = xml_error(query.call("ListUsers", version="2099-01-01"))
    assert (status, code) == (400, "InvalidAction") and "2099-01-01" in message


def test_action_of_the_model_not_implemented_here_is_invalid_action_naming_it(query):
    missing = registry.not_implemented("iam")
    assert missing, "every IAM action is implemented: pick another test"
    status, code, message = xml_error(query.call(missing[0]))
    assert (status, code) == (400, "InvalidAction") and missing[0] in message


def test_signed_request_without_action_is_missing_action(query):
    response = query.send({"Version": "2010-05-08"})
    assert xml_error(response)[:2] == (400, "MissingAction")


def test_sts_action_signed_for_sts_answers_in_the_sts_namespace(root_credentials):
    client = QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="sts")
    response = client.call("GetCallerIdentity")
    assert response.status_code == 200
    assert ElementTree.fromstring(response.content).tag == f"{{{STS_NS}}}GetCallerIdentityResponse"
    assert b"<Arn>arn:aws:iam::123456789012:root</Arn>" in response.content


def test_iam_action_signed_for_sts_is_invalid_action(root_credentials):
    client = QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key, service="sts")
    status, code, _ = xml_error(client.call("ListUsers", version="2011-06-15"))
    assert (status, code) == (400, "InvalidAction")


@pytest.mark.parametrize(("params", "message"), [
    ({"UserName": "bad name!"}, "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy "
                                r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"),
    ({"UserName": "a" * 65}, f"1 validation error detected: Value '{'a' * 65}' at 'userName' failed to satisfy "
                             "constraint: Member must have length less than or equal to 64"),
    ({}, "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be "
         "null"),
    ({"UserName": "ok", "Tags.member.1.Key": "k" * 129, "Tags.member.1.Value": "v"},
     f"1 validation error detected: Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: "
     "Member must have length less than or equal to 128"),
])
def test_constraint_violations_are_validation_errors_in_aws_words(query, params, message):
    assert xml_error(query.call("CreateUser", **params)) == (400, "ValidationError", message)
    assert not AuditEvent.objects.filter(event_name="CreateUser", outcome="Success").exists()


def test_range_and_enum_violations_are_validation_errors(query):
    assert xml_error(query.call("ListUsers", MaxItems="0"))[2] == (
        "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value "
        "greater than or equal to 1")
    status, code, message = xml_error(query.call("UpdateAccessKey", AccessKeyId="AKIAIOSFODNN7EXAMPLE",
                                                 Status="Sleeping"))
    assert (status, code) == (400, "ValidationError")
    assert "Value 'Sleeping' at 'status' failed to satisfy constraint: Member must satisfy enum value set:" in message


def test_every_broken_constraint_is_listed(query):
    message = xml_error(query.call("CreateUser", UserName="bad name!", Path="nopath"))[2]
    assert message.startswith("2 validation errors detected: ")
    assert "at 'userName'" in message and "at 'path'" in message


def test_a_password_never_appears_in_a_validation_message(query, make_user):
    make_user("dave")
    message = xml_error(query.call("CreateLoginProfile", UserName="dave", Password="\u0101secret\u0102"))[2]
    assert "secret" not in message and "Value at 'password'" in message


def test_not_a_number_is_a_validation_error_not_a_failure(query):
    status, code, _ = xml_error(query.call("ListUsers", MaxItems="lots"))
    assert (status, code) == (400, "ValidationError")


def test_control_characters_in_input_still_give_readable_xml(query):
    status, code, message = xml_error(query.call("GetUser", UserName="a\x01b"))
    assert (status, code) == (400, "ValidationError") and "\ufffd" in message


def test_console_pages_at_root_are_untouched(client):
    assert client.get("/").status_code == 302  # the dashboard sends a visitor to sign in
    response = client.post("/", {"x": "y"})  # a form without an Action is the console's (it asks to sign in)
    assert response.status_code == 302 and b"ErrorResponse" not in response.content


def test_presigned_get_url_is_answered(root_credentials):
    from botocore.auth import SigV4QueryAuth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from django.test import Client

    request = AWSRequest(method="GET", url="http://testserver/?Action=GetUser&Version=2010-05-08")
    SigV4QueryAuth(Credentials(root_credentials.access_key_id, root_credentials.secret_access_key), "iam",
                   "us-east-1", expires=300).add_auth(request)
    response = Client().get(request.url.replace("http://testserver", ""), HTTP_HOST="testserver")
    assert response.status_code == 200, response.content
    assert b"<Arn>arn:aws:iam::123456789012:root</Arn>" in response.content
