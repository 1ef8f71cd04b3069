"""Attributes for access control with boto3 against a live server: the instance's configuration is created once,
described, updated and deleted with AWS's errors; the portal's role sessions carry the person's attributes as session
tags, so a permission set's policy that tests aws:PrincipalTag/Department lets one person act and not another."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from audit.models import AuditEvent
from identitycenter import attributes_for_access
from identitycenter.models import AccessControlAttributeConfiguration
from identitycenter.services import portal
from identitystore.models import WorkforceUser
from identitystore.services import users
from identitystore.services.store import identity_store_of
from tests.identitycenter.conftest import finish
from tests.query.conftest import aws  # noqa: F401 - boto3 clients against a live server

pytestmark = pytest.mark.django_db(transaction=True)

DEPARTMENT = {"Key": "Department", "Value": {"Source": ["${path:enterprise.department}"]}}
GIVEN_NAME = {"Key": "GivenName", "Value": {"Source": ["${path:name.givenName}"]}}
EMAIL = {"Key": "Email", "Value": {"Source": ["${path:emails[primary eq true].value}"]}}


def _code(call, **params) -> str:
    with pytest.raises(ClientError) as refused:
        call(**params)
    return refused.value.response["Error"]["Code"]


def test_the_configuration_is_created_once_described_updated_and_deleted(aws):  # noqa: F811
    sso = aws("sso-admin")
    arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    assert _code(sso.describe_instance_access_control_attribute_configuration,
                 InstanceArn=arn) == "ResourceNotFoundException"
    assert _code(sso.update_instance_access_control_attribute_configuration, InstanceArn=arn,
                 InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [DEPARTMENT]}
                 ) == "ResourceNotFoundException"
    assert _code(sso.delete_instance_access_control_attribute_configuration,
                 InstanceArn=arn) == "ResourceNotFoundException"

    sso.create_instance_access_control_attribute_configuration(
        InstanceArn=arn, InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [DEPARTMENT]})
    described = sso.describe_instance_access_control_attribute_configuration(InstanceArn=arn)
    assert described["Status"] == "ENABLED"
    assert described["InstanceAccessControlAttributeConfiguration"] == {"AccessControlAttributes": [DEPARTMENT]}
    assert _code(sso.create_instance_access_control_attribute_configuration, InstanceArn=arn,
                 InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [GIVEN_NAME]}
                 ) == "ConflictException"

    sso.update_instance_access_control_attribute_configuration(
        InstanceArn=arn,
        InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": [GIVEN_NAME, EMAIL, DEPARTMENT]})
    assert sso.describe_instance_access_control_attribute_configuration(InstanceArn=arn)[
        "InstanceAccessControlAttributeConfiguration"]["AccessControlAttributes"] == [GIVEN_NAME, EMAIL, DEPARTMENT]

    for wrong in ([{"Key": "Cost", "Value": {"Source": ["${path:enterprise.salary}"]}}],
                  [{"Key": "Cost", "Value": {"Source": ["costCenter"]}}],
                  [DEPARTMENT, {"Key": "department", "Value": {"Source": ["${path:userName}"]}}]):
        assert _code(sso.update_instance_access_control_attribute_configuration, InstanceArn=arn,
                     InstanceAccessControlAttributeConfiguration={"AccessControlAttributes": wrong}
                     ) == "ValidationException"
    assert AccessControlAttributeConfiguration.objects.get().attributes[0]["Key"] == "GivenName"  # kept as it was

    sso.delete_instance_access_control_attribute_configuration(InstanceArn=arn)
    assert _code(sso.describe_instance_access_control_attribute_configuration,
                 InstanceArn=arn) == "ResourceNotFoundException"
    created = AuditEvent.objects.get(event_name="CreateInstanceAccessControlAttributeConfiguration",
                                     outcome="Success")
    assert created.event_source == "sso.amazonaws.com"
    assert AuditEvent.objects.filter(event_name="UpdateInstanceAccessControlAttributeConfiguration",
                                     error_code="ValidationException").count() == 3
    assert _code(sso.describe_instance_access_control_attribute_configuration,
                 InstanceArn=arn[:-16] + "0" * 16) == "ResourceNotFoundException"


def _person(root_caller, name: str, department: str) -> str:
    store = identity_store_of(root_caller.account_id)
    return users.create_user(caller=root_caller, identity_store_id=store.id, user_name=name, display_name=name,
                             profile={"Name": {"GivenName": name.title()},
                                      "Extensions": {"aws:identitystore:enterprise": {"department": department}}}
                             ).user_id


def test_role_sessions_carry_the_persons_attributes_as_principal_tags(aws, people, make_account,  # noqa: F811
                                                                      root_caller):
    sso = aws("sso-admin")
    arn = sso.list_instances()["Instances"][0]["InstanceArn"]
    sso.create_instance_access_control_attribute_configuration(
        InstanceArn=arn, InstanceAccessControlAttributeConfiguration={
            "AccessControlAttributes": [DEPARTMENT, GIVEN_NAME, EMAIL]})
    ps = sso.create_permission_set(InstanceArn=arn, Name="Engineering")["PermissionSet"]["PermissionSetArn"]
    sso.put_inline_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, InlinePolicy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:PrincipalTag/Department": "Engineering"}}}]}))
    team = make_account("Team").account.pk
    ana, bo = _person(root_caller, "ana", "Engineering"), _person(root_caller, "bo", "Sales")
    group = people.group("Everyone", members=(ana, bo))
    assert finish(sso.create_account_assignment(
        InstanceArn=arn, TargetId=team, TargetType="AWS_ACCOUNT", PermissionSetArn=ps, PrincipalType="GROUP",
        PrincipalId=group)["AccountAssignmentCreationStatus"]) == "SUCCEEDED"

    def credentials(user_id: str):
        user = WorkforceUser.objects.get(user_id=user_id)
        granted = portal.get_role_credentials(caller=portal.person_caller(user),
                                              session=portal.start_session(user).session, account_id=team,
                                              role_name="Engineering")
        return granted.assumed

    as_ana = credentials(ana)
    assert as_ana.session.session_tags == {"Department": "Engineering", "GivenName": "Ana"}  # no email: none held
    iam = aws("iam", key=(as_ana.access_key_id, as_ana.secret_access_key, as_ana.session_token))
    assert iam.list_users()["Users"] == []
    as_bo = credentials(bo)
    assert as_bo.session.session_tags["Department"] == "Sales"
    iam = aws("iam", key=(as_bo.access_key_id, as_bo.secret_access_key, as_bo.session_token))
    assert _code(iam.list_users) == "AccessDenied"

    # Without a configuration, sessions carry no attributes: the policy's condition fails for everyone.
    sso.delete_instance_access_control_attribute_configuration(InstanceArn=arn)
    as_ana = credentials(ana)
    assert as_ana.session.session_tags == {}
    iam = aws("iam", key=(as_ana.access_key_id, as_ana.secret_access_key, as_ana.session_token))
    assert _code(iam.list_users) == "AccessDenied"


def test_each_path_reads_the_persons_value_and_a_value_no_tag_can_hold_is_left_out():
    user = WorkforceUser(user_name="ana", display_name="Ana D", profile={
        "Name": {"GivenName": "Ana", "FamilyName": "Diaz"}, "Title": "Engineer",
        "Emails": [{"Value": "ana@example.com", "Type": "work", "Primary": True}],
        "PhoneNumbers": [{"Value": "+1 555 0100", "Primary": False}],
        "Addresses": [{"Locality": "Lisbon", "Country": "PT", "Primary": True}],
        "Extensions": {"aws:identitystore:enterprise": {"costCenter": "CC#7", "division": "R&D", "department": "Eng"}}})
    paths = ["userName", "displayName", "title", "name.givenName", "name.familyName", "emails[primary eq true].value",
             "phoneNumbers[primary eq true].value", "addresses[primary eq true].locality",
             "addresses[primary eq true].country", "enterprise.costCenter", "enterprise.department", "nickName"]
    configured = [{"Key": f"k{index}", "Source": f"${{path:{path}}}"} for index, path in enumerate(paths)]
    assert attributes_for_access.session_tags_of(user, configured) == {
        "k0": "ana", "k1": "Ana D", "k2": "Engineer", "k3": "Ana", "k4": "Diaz", "k5": "ana@example.com",
        "k7": "Lisbon", "k8": "PT", "k10": "Eng"}  # no primary phone, "#" cannot be in a tag, no nick name
    assert set(attributes_for_access.PATHS) >= set(paths)
