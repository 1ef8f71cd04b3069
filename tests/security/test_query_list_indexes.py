"""List indexes and numbers in Query API parameters are ASCII decimal: anything else is the API's ValidationError,
never a 500, whoever sends it (signed, or anonymously through STS's federation calls)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from directory.models import User
from tests.query.conftest import FORM, QueryClient, xml_error

pytestmark = pytest.mark.django_db

HOSTILE_INDEXES = ["\u00b2", "\u0663", "\uff11", "1" * 5000, "9" * 40, "x", "0", "-1", "+1", " 1", "1 "]


@pytest.fixture
def root_query(root_credentials) -> QueryClient:
    return QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key)


@pytest.mark.parametrize("index", HOSTILE_INDEXES)
def test_a_tag_index_that_is_not_a_plain_number_is_a_validation_error(root_query, index):
    response = root_query.call("CreateUser", UserName="tagged", **{f"Tags.member.{index}.Key": "team",
                                                                   f"Tags.member.{index}.Value": "x"})
    status, code, message = xml_error(response)
    assert (status, code) == (400, "ValidationError"), response.content[:300]
    assert "index" in message
    assert not User.objects.filter(user_name="tagged").exists()


def test_plain_indexes_still_read_in_numeric_order(root_query):
    fields = {"Tags.member.10.Key": "ten", "Tags.member.10.Value": "10", "Tags.member.2.Key": "two",
              "Tags.member.2.Value": "2"}
    assert root_query.call("CreateUser", UserName="ordered", **fields).status_code == 200
    from directory.models import UserTag

    assert list(UserTag.objects.filter(user__user_name="ordered").order_by("id").values_list("key", flat=True)) \
        == ["two", "ten"]


@pytest.mark.parametrize("index", ["\u00b2", "1" * 5000])
def test_an_anonymous_federation_call_with_a_hostile_policy_arn_index_is_a_validation_error(db, index):
    fields = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
              "RoleArn": "arn:aws:iam::123456789012:role/web", "RoleSessionName": "s",
              "WebIdentityToken": "x" * 20, f"PolicyArns.member.{index}.arn": "arn:aws:iam::aws:policy/IAMFullAccess"}
    response = Client().post("/", urlencode(fields), content_type=FORM)
    status, code, _ = xml_error(response)
    assert (status, code) == (400, "ValidationError"), response.content[:300]


@pytest.mark.parametrize("number", ["\u0663", "\u00b2", "\uff13", "1" * 5000, "1e3", "0x10"])
def test_a_number_in_other_than_ascii_digits_is_a_validation_error(root_query, number):
    status, code, _ = xml_error(root_query.call("ListUsers", MaxItems=number))
    assert (status, code) == (400, "ValidationError")
