"""Guardrails in every decision: an SCP denies at every door (console, REST, Query API, AssumeRole, decide), the
management account is exempt, a member account's root is not, every level must allow, a change is in force at
once, and RCPs cap who assumes an account's roles."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import Account
from directory.models import User
from directory.services import inline, roles
from organizations.services import members as org_members
from organizations.services import organization as org_services
from organizations.services import policies as org_policies
from organizations.services import units
from policies.services import catalogue
from tests.query.conftest import QueryClient, xml_error
from tests.support.signing import SignedClient

pytestmark = pytest.mark.django_db

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
PASSWORD = "Adm1n-Passw0rd-Long!"
SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


def document(*statements) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


DENY_CREATE_USER = document({"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"})


class Organization:
    def __init__(self, root_caller, make_account) -> None:
        self.caller = root_caller
        made = org_services.create_organization(caller=root_caller)
        self.root_id = made.root_id
        org_services.enable_policy_type(caller=root_caller, root_id=self.root_id, policy_type=SCP)
        self.member = make_account("Team")
        self.admin = self.member.make_user("admin", password=PASSWORD, access_key=True, policies=(ADMIN,))

    def policy(self, content: str, name: str, policy_type: str = SCP) -> str:
        return org_policies.create_policy(caller=self.caller, content=content, description="", name=name,
                                          policy_type=policy_type).policy.id

    def attach(self, policy_id: str, target: str) -> None:
        org_policies.attach_policy(caller=self.caller, policy_id=policy_id, target_id=target)

    def detach(self, policy_id: str, target: str) -> None:
        org_policies.detach_policy(caller=self.caller, policy_id=policy_id, target_id=target)

    def query(self, user=None) -> QueryClient:
        return QueryClient(*(user or self.admin).test_access_key)


@pytest.fixture
def org(root_caller, make_account) -> Organization:
    return Organization(root_caller, make_account)


def test_an_scp_deny_stops_the_accounts_administrator_through_the_query_api(org):
    org.attach(org.policy(DENY_CREATE_USER, "NoUsers"), org.member.account.pk)
    status, code, message = xml_error(org.query().call("CreateUser", UserName="blocked"))
    assert (status, code) == (403, "AccessDenied")
    assert "with an explicit deny in a service control policy" in message
    assert org.query().call("ListUsers").status_code == 200


def test_an_scp_deny_stops_it_through_the_rest_api(org):
    org.attach(org.policy(DENY_CREATE_USER, "NoUsers"), org.member.account.pk)
    api = SignedClient(*org.admin.test_access_key)
    response = api.post("/api/v1/users/", {"user_name": "blocked"})
    assert response.status_code == 403
    assert "service control policy" in response.json()["error"]["message"]
    assert api.get("/api/v1/users/").status_code == 200


def test_an_scp_deny_stops_it_in_the_console(org):
    org.attach(org.policy(DENY_CREATE_USER, "NoUsers"), org.member.account.pk)
    client = Client()
    signed_in = client.post("/sign-in/", {"account": org.member.account.pk, "user_name": "admin",
                                          "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.content
    response = client.post("/users/create/", {"user_name": "blocked", "path": "/", "password_mode": "generate"})
    assert response.status_code == 403
    assert b"service control policy" in response.content
    assert not User.objects.filter(account=org.member.account, user_name="blocked").exists()


def test_an_scp_deny_stops_role_assumption(org):
    trust = document({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{org.member.account.pk}:root"},
                      "Action": "sts:AssumeRole"})
    role = roles.create_role(caller=org.member.caller, role_name="deployer", assume_role_policy_document=trust)
    sts = QueryClient(*org.admin.test_access_key, service="sts")
    arn = role.arn
    assert sts.call("AssumeRole", RoleArn=arn, RoleSessionName="ss").status_code == 200
    org.attach(org.policy(document({"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}), "NoRoles"),
               org.root_id)
    status, code, message = xml_error(sts.call("AssumeRole", RoleArn=arn, RoleSessionName="ss"))
    assert (status, code) == (403, "AccessDenied") and "service control policy" in message


def test_an_scp_deny_reaches_decisions_for_other_services(org):
    member = org.member
    definition = {"service_prefix": "docs", "name": "Docs", "description": "",
                  "actions": [{"name": "GetDocument", "access_level": "Read"}]}
    catalogue.put_service_definition(caller=member.caller, **definition)
    service = member.make_user("docs-service", access_key=True)
    inline.put_user_policy(caller=member.caller, user_name="docs-service", policy_name="ask", policy_document=document(
        {"Effect": "Allow", "Action": "iam:AuthorizeRequest", "Resource": "*"}))
    reader = member.make_user("reader", policies=(ADMIN,))
    client = SignedClient(*service.test_access_key)
    body = {"principal_arn": reader.arn, "action": "docs:GetDocument", "resource": "arn:aws:docs:::document/a"}
    assert client.post("/api/v1/authorization/decide", body).json()["decision"] == "allowed"
    org.attach(org.policy(document({"Effect": "Deny", "Action": "docs:*", "Resource": "*"}), "NoDocs"), member.account.pk)
    assert client.post("/api/v1/authorization/decide", body).json()["decision"] == "explicitDeny"


def test_the_management_account_is_exempt(org, make_user):
    deny = org.policy(DENY_CREATE_USER, "NoUsers")
    org.attach(deny, org.root_id)
    manager = make_user("manager", access_key=True, policies=(ADMIN,))
    assert org.query(manager).call("CreateUser", UserName="allowed").status_code == 200
    assert xml_error(org.query().call("CreateUser", UserName="blocked"))[1] == "AccessDenied"


def test_a_member_accounts_root_user_is_restricted(org):
    org.attach(org.policy(DENY_CREATE_USER, "NoUsers"), org.root_id)
    member_root = org.member.root_api()
    query = QueryClient(member_root.access_key_id, member_root.secret_access_key)
    status, code, message = xml_error(query.call("CreateUser", UserName="blocked"))
    assert (status, code) == (403, "AccessDenied") and "service control policy" in message
    assert query.call("ListUsers").status_code == 200


def test_every_level_must_allow_and_the_refusal_names_the_level(org):
    unit = units.create_organizational_unit(caller=org.caller, parent_id=org.root_id, name="Sandbox").unit
    org_members.move_account(caller=org.caller, account_id=org.member.account.pk, source_parent_id=org.root_id,
                             destination_parent_id=unit.id)
    only_s3 = org.policy(document({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}), "OnlyS3")
    org.attach(only_s3, unit.id)
    org.detach("p-FullAWSAccess", unit.id)
    status, code, message = xml_error(org.query().call("ListUsers"))
    assert (status, code) == (403, "AccessDenied")
    assert f"because no service control policy allows the iam:ListUsers action (at OU {unit.id})" in message


def test_a_detached_deny_is_lifted_for_the_next_request(org):
    deny = org.policy(DENY_CREATE_USER, "NoUsers")
    org.attach(deny, org.member.account.pk)
    assert xml_error(org.query().call("CreateUser", UserName="first"))[1] == "AccessDenied"
    org.detach(deny, org.member.account.pk)
    assert org.query().call("CreateUser", UserName="second").status_code == 200
    org_policies.update_policy(caller=org.caller, policy_id=deny,
                               content=document({"Effect": "Deny", "Action": "iam:*User", "Resource": "*"}))
    org.attach(deny, org.member.account.pk)
    assert xml_error(org.query().call("GetUser", UserName="second"))[1] == "AccessDenied"


def test_rcps_cap_who_assumes_the_accounts_roles(org, make_account):
    org_services.enable_policy_type(caller=org.caller, root_id=org.root_id, policy_type=RCP)
    outsider = make_account("Outsider")
    org_members.remove_account_from_organization(caller=org.caller, account_id=outsider.account.pk)
    assert Account.objects.get(pk=outsider.account.pk).organization_id is None
    guest = outsider.make_user("guest", access_key=True, policies=(ADMIN,))
    insider = make_account("Insider").make_user("insider", access_key=True, policies=(ADMIN,))
    trust = document({"Effect": "Allow", "Principal": {"AWS": [f"arn:aws:iam::{outsider.account.pk}:root",
                                                                f"arn:aws:iam::{insider.account_id}:root"]},
                      "Action": "sts:AssumeRole"})
    made = roles.create_role(caller=org.member.caller, role_name="shared", assume_role_policy_document=trust)
    arn = made.arn
    sts_outside = QueryClient(*guest.test_access_key, service="sts")
    assert sts_outside.call("AssumeRole", RoleArn=arn, RoleSessionName="xx").status_code == 200
    only_org = org.policy(document({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole", "Resource": "*",
                                    "Condition": {"StringNotEqualsIfExists": {
                                        "aws:PrincipalOrgID": org_services.current_organization().id}}}),
                          "OrgOnly", RCP)
    org.attach(only_org, org.member.account.pk)
    status, code, message = xml_error(sts_outside.call("AssumeRole", RoleArn=arn, RoleSessionName="xx"))
    assert (status, code) == (403, "AccessDenied")
    assert "with an explicit deny in a resource control policy" in message
    inside = QueryClient(*insider.test_access_key, service="sts").call("AssumeRole", RoleArn=arn, RoleSessionName="xx")
    assert inside.status_code == 200, inside.content


def test_the_simulator_names_the_scp_and_its_level(org):
    from directory.services import simulation

    org.attach(org.policy(DENY_CREATE_USER, "NoUsers"), org.member.account.pk)
    denied, allowed = simulation.simulate_principal_policy(caller=org.member.caller, user_name="admin",
                                                           action_names=["iam:CreateUser", "iam:ListUsers"])
    assert denied.decision == "explicitDeny"
    assert denied.organizations == {"allowed": False, "policy_type": "scp",
                                    "level": f"account {org.member.account.pk}", "reason": denied.organizations[
                                        "reason"]}
    assert "service control policy" in denied.organizations["reason"]
    assert allowed.decision == "allowed" and allowed.organizations["allowed"] is True
    member_root = org.member.root_api()
    answer = QueryClient(member_root.access_key_id, member_root.secret_access_key).call(
        "SimulatePrincipalPolicy", PolicySourceArn=org.admin.arn, **{"ActionNames.member.1": "iam:CreateUser"})
    assert answer.status_code == 200, answer.content
    assert b"<AllowedByOrganizations>false</AllowedByOrganizations>" in answer.content
