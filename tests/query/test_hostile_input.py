"""Hostile or malformed Query API requests get an AWS error, never a 500 and never a half-write; lists cost a
constant number of queries."""

from __future__ import annotations

import pytest

from directory.models import User
from tests.query.conftest import xml_error

pytestmark = pytest.mark.django_db


def test_body_that_is_not_utf8_is_refused(query):
    status, code, _ = xml_error(query.send({}, body=b"Action=ListUsers&Version=2010-05-08&PathPrefix=%FF\xff\xfe"))
    assert status == 400 and code in ("MalformedQueryString", "ValidationError")


def test_too_many_fields_are_refused(query):
    fields = {"Action": "TagUser", "Version": "2010-05-08", "UserName": "x"}
    fields.update({f"Tags.member.{index}.Key": "k" for index in range(1, 3000)})
    status, code, _ = xml_error(query.send(fields))
    assert status == 400 and code == "MalformedQueryString"


def test_too_large_a_body_is_refused(query, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    fields = {"Action": "CreateUser", "Version": "2010-05-08", "UserName": "big", "Path": "/" + "a" * 20_000 + "/"}
    status, code, _ = xml_error(query.send(fields))
    assert (status, code) == (413, "RequestEntityTooLarge")
    assert not User.objects.filter(user_name="big").exists()


@pytest.mark.parametrize("fields", [
    {"Tags.member.0.Key": "zero"},
    {"Tags.member.x.Key": "letters"},
    {"Tags.member.1": "scalar where a structure goes"},
    {"Tags": "not a list"},
    {"Tags.member.1.Key.deeper.still": "v"},
    {"UserName.member.1": "list where a string goes"},
])
def test_odd_shapes_never_fail_the_server(query, fields):
    response = query.call("CreateUser", UserName="odd", **fields)
    assert response.status_code in (200, 400)


def test_a_half_valid_tag_list_writes_nothing(query):
    fields = {"Tags.member.1.Key": "good", "Tags.member.1.Value": "v", "Tags.member.2.Key": "bad key!",
              "Tags.member.2.Value": "v"}
    status, code, _ = xml_error(query.call("CreateUser", UserName="half", **fields))
    assert (status, code) == (400, "ValidationError") or status == 400
    assert not User.objects.filter(user_name="half").exists()


@pytest.mark.parametrize("users", [3, 40])
def test_list_users_costs_the_same_queries_whatever_the_page(query, make_user, users, django_assert_max_num_queries):
    for index in range(users):
        make_user(f"u{index:03d}")
    # The signing key, its last-used stamp (at most once per interval), the page, and the operation's
    # savepoint pair inside the test's transaction: nothing per user.
    with django_assert_max_num_queries(5):
        response = query.call("ListUsers", MaxItems="30")
    assert response.status_code == 200 and response.content.count(b"<member>") == min(users, 30)
