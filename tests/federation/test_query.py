"""Federation through the AWS Query API with boto3: providers managed as on AWS, unsigned STS exchanges."""

from __future__ import annotations

import json

import pytest
from botocore import UNSIGNED
from botocore.exceptions import ClientError

from directory.services import roles
from tests.federation.conftest import web_identity_trust
from tests.federation.saml_idp import LocalSAMLIdP
from tests.query.conftest import client_for


@pytest.fixture
def iam(transactional_db, live_server, root_credentials):
    return client_for(live_server, "iam", root_credentials.access_key_id, root_credentials.secret_access_key)


@pytest.fixture
def unsigned_sts(live_server):
    client = client_for(live_server, "sts", "unused", "unused")
    client.meta.config.signature_version = UNSIGNED
    return client


def code_of(excinfo) -> tuple[int, str]:
    response = excinfo.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def create_role(root_caller, name: str, trust: str) -> str:
    # Roles through the service: this test is about the providers and the exchanges.
    return roles.create_role(caller=root_caller, role_name=name, assume_role_policy_document=trust).arn


def test_oidc_provider_and_web_identity_with_boto3(iam, unsigned_sts, issuer, live_server, root_caller):
    arn = iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["sts.amazonaws.com"],
                                              Tags=[{"Key": "team", "Value": "ci"}])["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::123456789012:oidc-provider/{issuer.host_path}"
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="web")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=["b" * 40])
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == issuer.host_path and got["ClientIDList"] == ["sts.amazonaws.com", "web"]
    assert got["ThumbprintList"] == ["b" * 40] and got["Tags"] == [{"Key": "team", "Value": "ci"}]
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == [{"Arn": arn}]
    with pytest.raises(ClientError) as excinfo:
        iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["x"])
    assert code_of(excinfo) == (409, "EntityAlreadyExists")

    role = {"Role": {"Arn": create_role(root_caller, "ci-deploy", web_identity_trust(arn, issuer.host_path))}}
    answer = unsigned_sts.assume_role_with_web_identity(RoleArn=role["Role"]["Arn"], RoleSessionName="build-1",
                                                        WebIdentityToken=issuer.token())
    assert answer["SubjectFromWebIdentityToken"] == "repo:acme/app:ref:refs/heads/main"
    assert answer["Provider"] == issuer.url and answer["Audience"] == "sts.amazonaws.com"
    assert answer["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/ci-deploy/build-1"
    credentials = answer["Credentials"]
    session = client_for(live_server, "sts", credentials["AccessKeyId"], credentials["SecretAccessKey"],
                         credentials["SessionToken"])
    assert session.get_caller_identity()["Arn"] == answer["AssumedRoleUser"]["Arn"]

    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_web_identity(RoleArn=role["Role"]["Arn"], RoleSessionName="build-1",
                                                   WebIdentityToken=issuer.token(aud="someone-else"))
    assert code_of(excinfo) == (400, "InvalidIdentityToken")
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_web_identity(RoleArn=role["Role"]["Arn"], RoleSessionName="build-1",
                                                   WebIdentityToken=issuer.token(sub="repo:evil/x"))
    assert code_of(excinfo) == (403, "AccessDenied")
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_saml_provider_and_assume_role_with_saml_with_boto3(iam, unsigned_sts, root_caller):
    idp = LocalSAMLIdP()
    arn = iam.create_saml_provider(Name="Corp", SAMLMetadataDocument=idp.metadata())["SAMLProviderArn"]
    assert arn == "arn:aws:iam::123456789012:saml-provider/Corp"
    got = iam.get_saml_provider(SAMLProviderArn=arn)
    assert got["SAMLMetadataDocument"].startswith("<?xml") and got["ValidUntil"] > got["CreateDate"]
    assert [p["Arn"] for p in iam.list_saml_providers()["SAMLProviderList"]] == [arn]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}]})
    role_arn = create_role(root_caller, "engineers", trust)
    assertion = idp.response(roles=[f"{role_arn},{arn}"])
    answer = unsigned_sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=arn, SAMLAssertion=assertion)
    assert answer["Subject"] == "alice@example.com" and answer["SubjectType"] == "persistent"
    assert answer["Issuer"] == idp.entity_id and answer["NameQualifier"]
    assert answer["AssumedRoleUser"]["Arn"].endswith(":assumed-role/engineers/alice")
    with pytest.raises(ClientError) as excinfo:
        unsigned_sts.assume_role_with_saml(RoleArn=role_arn, PrincipalArn=arn, SAMLAssertion=assertion)
    assert code_of(excinfo) == (400, "InvalidIdentityToken")
    with pytest.raises(ClientError) as excinfo:
        iam.create_saml_provider(Name="Broken", SAMLMetadataDocument="<x/>" * 300)
    assert code_of(excinfo)[0] == 400
    iam.delete_saml_provider(SAMLProviderArn=arn)
