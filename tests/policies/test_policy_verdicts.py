"""Writes follow IAM's verdict, not the advice: what IAM stores is stored, what it refuses is refused
with every finding; simulation takes the same documents and context as AWS."""

from __future__ import annotations

import json

import pytest

from directory.services import inline, simulation
from iam_console.errors import InvalidInput, LimitExceeded, MalformedPolicyDocument
from policies.services import managed
from tests.policies.conftest import allow, deny, document

pytestmark = pytest.mark.django_db


def test_policy_iam_stores_is_stored_even_with_error_level_advice(root_caller):
    text = document(allow("iam:CreatUser"), {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
                                             "Condition": {"StringEquals": {"team": "blue"}}})
    policy = managed.create_policy(caller=root_caller, policy_name="Odd", policy_document=text)
    assert policy.arn.endswith(":policy/Odd")
    outcome = simulation.validate_policy(caller=root_caller, policy_document=text)
    assert outcome.valid is True
    codes = {f["issue_code"]: f for f in outcome.findings}
    assert codes["UNKNOWN_ACTION"]["severity"] == "ERROR" and codes["UNKNOWN_ACTION"]["blocking"] is False
    assert codes["INVALID_CONDITION_KEY"]["blocking"] is False


def test_identity_policy_without_version_is_refused_with_every_finding(root_caller):
    text = json.dumps({"Statement": [allow("iam:CreatUser"), {"Effect": "Allow", "Action": "s3:*"}]})
    with pytest.raises(MalformedPolicyDocument) as refused:
        managed.create_policy(caller=root_caller, policy_name="Old", policy_document=text)
    assert refused.value.message.startswith("Policy document must be version 2012-10-17 or greater.")
    findings = refused.value.details["findings"]
    assert {f["issue_code"] for f in findings if f["blocking"]} == {"INVALID_VERSION", "MISSING_RESOURCE"}
    assert any(f["issue_code"] == "UNKNOWN_ACTION" and not f["blocking"] for f in findings)


def test_policy_document_may_be_a_json_object(root_caller, make_user):
    make_user("alice")
    body = {"Version": "2012-10-17", "Statement": [allow("iam:GetUser")]}
    policy = managed.create_policy(caller=root_caller, policy_name="AsObject", policy_document=body)
    assert json.loads(managed.get_policy_version(caller=root_caller, policy_arn=policy.arn,
                                                 version_id="v1").document) == body
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="inline", policy_document=body)
    assert simulation.validate_policy(caller=root_caller, policy_document=body).valid


def test_managed_policy_over_6144_characters_is_limit_exceeded(root_caller):
    text = document(allow("s3:GetObject", "arn:aws:s3:::" + "b" * 6144))
    with pytest.raises(LimitExceeded) as refused:
        managed.create_policy(caller=root_caller, policy_name="Huge", policy_document=text)
    assert any(f["issue_code"] == "POLICY_SIZE_EXCEEDED" for f in refused.value.details["findings"])


def test_simulation_refuses_a_malformed_document_in_createpolicys_shape(root_caller):
    with pytest.raises(MalformedPolicyDocument) as refused:
        simulation.simulate_custom_policy(caller=root_caller, action_names=["iam:GetUser"],
                                          policy_input_list=[document(allow("iam:GetUser")), "{\"Statement\": []}"])
    assert refused.value.details["field"] == "policy_input_list[1]"
    assert refused.value.details["findings"][0]["blocking"] is True


def test_context_only_simulation_and_get_caller_identity(root_caller):
    results = simulation.simulate_custom_policy(caller=root_caller, policy_input_list=[],
                                                action_names=["iam:GetUser", "sts:GetCallerIdentity"])
    assert [r.decision for r in results] == ["implicitDeny", "allowed"]


def test_get_caller_identity_cannot_be_denied_in_simulation(root_caller):
    results = simulation.simulate_custom_policy(caller=root_caller, policy_input_list=[document(deny("*"))],
                                                action_names=["sts:GetCallerIdentity", "iam:GetUser"])
    assert [r.decision for r in results] == ["allowed", "explicitDeny"]


def test_single_valued_context_key_with_several_values_is_refused(root_caller):
    entry = {"context_key_name": "aws:username", "context_key_values": ["a", "b"], "context_key_type": "string"}
    with pytest.raises(InvalidInput, match="stringList"):
        simulation.simulate_custom_policy(caller=root_caller, policy_input_list=[document(allow("*"))],
                                          action_names=["iam:GetUser"], context_entries=[entry])


def test_string_list_context_key_drives_set_operators(root_caller):
    policy = document(allow("iam:TagUser", Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}))
    entries = [{"context_key_name": "aws:TagKeys", "context_key_values": ["a", "c"], "context_key_type": "stringList"}]
    (result,) = simulation.simulate_custom_policy(caller=root_caller, policy_input_list=[policy],
                                                  action_names=["iam:TagUser"], context_entries=entries)
    assert result.decision == "implicitDeny"


@pytest.mark.parametrize("value", ["1700000000", "1700000000.5", "2023-11-14T22:13:20Z"])
def test_date_context_values_accept_epoch_seconds_and_iso_8601(root_caller, value):
    policy = document(allow("iam:GetUser", Condition={"DateGreaterThan": {"aws:CurrentTime": "1600000000"}}))
    entries = [{"context_key_name": "aws:CurrentTime", "context_key_values": [value], "context_key_type": "date"}]
    (result,) = simulation.simulate_custom_policy(caller=root_caller, policy_input_list=[policy],
                                                  action_names=["iam:GetUser"], context_entries=entries)
    assert result.decision == "allowed"


def test_simulate_principal_policy_keeps_the_callers_context_keys(root_caller, make_user):
    make_user("alice")
    inline.put_user_policy(caller=root_caller, user_name="alice", policy_name="self", policy_document=document(
        allow("iam:GetUser", Condition={"StringEquals": {"aws:username": "bob"}})))
    entries = [{"context_key_name": "AWS:UserName", "context_key_values": ["bob"], "context_key_type": "string"}]
    (result,) = simulation.simulate_principal_policy(caller=root_caller, user_name="alice",
                                                     action_names=["iam:GetUser"], context_entries=entries)
    assert result.decision == "allowed"
    (derived,) = simulation.simulate_principal_policy(caller=root_caller, user_name="alice",
                                                      action_names=["iam:GetUser"])
    assert derived.decision == "implicitDeny"
