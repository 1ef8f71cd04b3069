"""Bodies read against botocore's shapes: JSON types, constraints with AWS's wording, answers as the model says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from iam_console.awsjson.errors import ValidationException
from iam_console.awsjson.service_models import operation_model
from iam_console.errors import IAMError
from iam_console.model_constraints import validate_input
from iam_console.model_json import parse_input, render_error, render_response


def _input(operation: str):
    return operation_model("organizations", operation).input_shape


def _read(operation: str, body: dict) -> dict:
    shape = _input(operation)
    params = parse_input(shape, body)
    validate_input(shape, params, error=ValidationException)
    return params


def test_members_are_read_by_type_and_unknown_ones_left_out():
    params = _read("ListAccounts", {"MaxResults": 5, "NextToken": "abc", "Surprise": 1, "NextToken2": None})
    assert params == {"MaxResults": 5, "NextToken": "abc"}


@pytest.mark.parametrize("value", ["5", True, 5.5, [], {}])
def test_a_member_of_the_wrong_json_type_is_a_serialization_error(value):
    with pytest.raises(IAMError) as raised:
        _read("ListAccounts", {"MaxResults": value})
    assert raised.value.code == "SerializationException"


def test_a_missing_required_member_is_named_as_aws_names_it():
    with pytest.raises(ValidationException) as raised:
        _read("DescribeAccount", {})
    assert raised.value.message == ("1 validation error detected: Value null at 'accountId' failed to satisfy "
                                    "constraint: Member must not be null")


def test_every_broken_constraint_is_told_at_once():
    with pytest.raises(ValidationException) as raised:
        _read("ListAccounts", {"MaxResults": 0, "NextToken": "x" * 100001})
    assert raised.value.message.startswith("2 validation errors detected: ")
    assert "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal " \
           "to 1" in raised.value.message


def test_patterns_and_enums_are_checked():
    with pytest.raises(ValidationException) as raised:
        _read("DescribeAccount", {"AccountId": "12345"})
    assert "Member must satisfy regular expression pattern: ^\\d{12}$" in raised.value.message
    with pytest.raises(ValidationException) as raised:
        _read("ListPolicies", {"Filter": "NOT_A_TYPE"})
    assert "Member must satisfy enum value set:" in raised.value.message


def test_timestamps_are_answered_as_epoch_seconds_and_undeclared_members_left_out():
    model = operation_model("organizations", "DescribeAccount")
    joined = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    body = render_response(model, {"Account": {"Id": "123456789012", "JoinedTimestamp": joined, "Secret": "x",
                                               "Name": None}})
    assert body == b'{"Account":{"Id":"123456789012","JoinedTimestamp":1704164645.0}}'


def test_an_error_carries_its_fields_beside_the_message():
    assert render_error("ConstraintViolationException", "no", {"Reason": "OU_DEPTH_LIMIT_EXCEEDED"}) == \
        b'{"__type":"ConstraintViolationException","message":"no","Reason":"OU_DEPTH_LIMIT_EXCEEDED"}'
