"""SAML providers and AssumeRoleWithSAML with real signatures: what is signed by the IdP is trusted, nothing else."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from lxml import etree

from directory.services import roles
from iam_console.errors import (
    AccessDenied,
    EntityAlreadyExists,
    ExpiredTokenException,
    InvalidIdentityToken,
    InvalidInput,
    NoSuchEntity,
    ValidationError,
)
from sts.federation import saml_providers
from sts.federation.saml_assume import assume_role_with_saml
from tests.federation.saml_idp import AWS_SAML, Credentials, LocalSAMLIdP

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def idp() -> LocalSAMLIdP:
    return LocalSAMLIdP()


@pytest.fixture
def saml_provider(idp, root_caller):
    return saml_providers.create_saml_provider(caller=root_caller, name="Corp", saml_metadata_document=idp.metadata())


def saml_trust(provider_arn: str, condition: dict | None = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithSAML",
        "Condition": condition or {"StringEquals": {"SAML:aud": AWS_SAML}}}]})


@pytest.fixture
def saml_role(saml_provider, root_caller):
    return roles.create_role(caller=root_caller, role_name="engineers",
                             assume_role_policy_document=saml_trust(saml_provider.arn))


def pair(role, provider) -> list[str]:
    return [f"{role.arn},{provider.arn}"]


def assume(anonymous, role, provider, assertion, **kwargs):
    return assume_role_with_saml(caller=anonymous, role_arn=role.arn, principal_arn=provider.arn,
                                 saml_assertion=assertion, **kwargs)


# ------------------------------------------------------------------------------------------- providers


def test_provider_keeps_entity_id_certificates_and_validity(saml_provider, idp, root_caller):
    got = saml_providers.get_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn)
    assert got.arn == "arn:aws:iam::123456789012:saml-provider/Corp"
    assert got.entity_id == idp.entity_id and len(got.certificates) == 1
    assert got.valid_until > dt.datetime.now(dt.UTC) + dt.timedelta(days=300)
    assert [p.name for p in saml_providers.list_saml_providers(caller=root_caller)] == ["Corp"]


def test_duplicate_provider_name_is_refused(saml_provider, idp, root_caller):
    with pytest.raises(EntityAlreadyExists):
        saml_providers.create_saml_provider(caller=root_caller, name="Corp", saml_metadata_document=idp.metadata())


def test_metadata_without_a_signing_certificate_is_refused(idp, root_caller):
    with pytest.raises(InvalidInput, match="no signing certificate"):
        saml_providers.create_saml_provider(caller=root_caller, name="NoCert",
                                            saml_metadata_document=idp.metadata(credentials=[]).ljust(1200))


def test_metadata_with_an_expired_certificate_is_refused(idp, root_caller):
    expired = Credentials("old", not_after_days=-1)
    with pytest.raises(InvalidInput, match="expired"):
        saml_providers.create_saml_provider(caller=root_caller, name="Old",
                                            saml_metadata_document=idp.metadata(credentials=[expired]))


def test_metadata_with_a_past_valid_until_is_refused(idp, root_caller):
    with pytest.raises(InvalidInput, match="validUntil"):
        saml_providers.create_saml_provider(caller=root_caller, name="Stale",
                                            saml_metadata_document=idp.metadata(valid_until="2020-01-01T00:00:00Z"))


def test_metadata_with_entities_is_refused(idp, root_caller):
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&b;"/>').ljust(1200)
    with pytest.raises(InvalidInput, match="DTD"):
        saml_providers.create_saml_provider(caller=root_caller, name="Bomb", saml_metadata_document=bomb)


def test_short_metadata_is_a_validation_error(root_caller):
    with pytest.raises(ValidationError):
        saml_providers.create_saml_provider(caller=root_caller, name="Tiny", saml_metadata_document="<x/>")


def test_update_replaces_the_certificates(saml_provider, idp, root_caller):
    new = Credentials("rotated")
    saml_providers.update_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn,
                                        saml_metadata_document=idp.metadata(credentials=[new]))
    saml_provider.refresh_from_db()
    assert saml_provider.certificates == [new.cert_pem.decode()]


def test_tags_and_delete(saml_provider, root_caller):
    saml_providers.tag_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn,
                                     tags=[{"Key": "owner", "Value": "it"}])
    assert [(t.key, t.value) for t in saml_providers.list_saml_provider_tags(
        caller=root_caller, saml_provider_arn=saml_provider.arn)] == [("owner", "it")]
    saml_providers.untag_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn, tag_keys=["owner"])
    saml_providers.delete_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn)
    with pytest.raises(NoSuchEntity):
        saml_providers.get_saml_provider(caller=root_caller, saml_provider_arn=saml_provider.arn)


def test_user_without_permission_cannot_create_a_provider(make_user, idp):
    from policies.authorization import Caller
    user = make_user("bob")
    with pytest.raises(AccessDenied, match="iam:CreateSAMLProvider"):
        saml_providers.create_saml_provider(caller=Caller(principal=user), name="Corp",
                                            saml_metadata_document=idp.metadata())


# ------------------------------------------------------------------------------------------- AssumeRoleWithSAML


@pytest.mark.parametrize("sign", ["assertion", "response"])
def test_signed_response_gets_role_credentials(anonymous, idp, saml_provider, saml_role, sign):
    result = assume(anonymous, saml_role, saml_provider, idp.response(roles=pair(saml_role, saml_provider), sign=sign))
    assert result.assumed.arn == "arn:aws:sts::123456789012:assumed-role/engineers/alice"
    assert result.identity.principal_name == "alice@example.com"
    assert result.extra["subject_type"] == "persistent" and result.extra["issuer"] == idp.entity_id
    assert result.audience == AWS_SAML
    assert result.assumed.session.federated_provider == saml_provider.arn


def test_role_and_provider_may_be_listed_in_either_order(anonymous, idp, saml_provider, saml_role):
    roles_attr = [f"{saml_provider.arn},{saml_role.arn}"]
    assert assume(anonymous, saml_role, saml_provider, idp.response(roles=roles_attr)).assumed.access_key_id


def test_unsigned_response_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken, match="not signed"):
        assume(anonymous, saml_role, saml_provider, idp.response(roles=pair(saml_role, saml_provider), sign="none"))


def test_response_signed_by_another_key_is_refused(anonymous, idp, saml_provider, saml_role):
    other = Credentials("impostor")
    with pytest.raises(InvalidIdentityToken, match="not signed"):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), signer=other))


def test_tampered_signed_assertion_is_refused(anonymous, idp, saml_provider, saml_role):
    document = idp.response(roles=pair(saml_role, saml_provider), raw=True)
    tampered = document.replace(b"alice@example.com", b"admin@example.com")
    with pytest.raises(InvalidIdentityToken, match="not signed"):
        assume(anonymous, saml_role, saml_provider, idp.encode(tampered))


def test_signature_wrapping_is_refused(anonymous, idp, saml_provider, saml_role):
    # Move the genuinely signed assertion out of the way and put a forged one where the reader would look.
    document = etree.fromstring(idp.response(roles=pair(saml_role, saml_provider), raw=True))
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion", "samlp": "urn:oasis:names:tc:SAML:2.0:protocol"}
    genuine = document.find("saml:Assertion", ns)
    extensions = etree.SubElement(document, "{urn:oasis:names:tc:SAML:2.0:protocol}Extensions")
    forged = etree.fromstring(etree.tostring(genuine))
    forged.find(".//saml:NameID", ns).text = "admin@example.com"
    forged.remove(forged.find("{http://www.w3.org/2000/09/xmldsig#}Signature"))
    document.replace(genuine, forged)
    extensions.append(genuine)
    with pytest.raises(InvalidIdentityToken, match="not signed"):
        assume(anonymous, saml_role, saml_provider, idp.encode(etree.tostring(document)))


def test_two_assertions_are_refused(anonymous, idp, saml_provider, saml_role):
    document = etree.fromstring(idp.response(roles=pair(saml_role, saml_provider), raw=True))
    ns = {"saml": "urn:oasis:names:tc:SAML:2.0:assertion"}
    document.append(etree.fromstring(etree.tostring(document.find("saml:Assertion", ns))))
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, saml_role, saml_provider, idp.encode(etree.tostring(document)))


def test_response_with_entities_is_refused(anonymous, saml_provider, saml_role):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&b;</samlp:Response>')
    with pytest.raises(InvalidIdentityToken, match="DTD"):
        assume(anonymous, saml_role, saml_provider, base64.b64encode(bomb).decode())


def test_replayed_assertion_is_refused(anonymous, idp, saml_provider, saml_role):
    assertion = idp.response(roles=pair(saml_role, saml_provider))
    assume(anonymous, saml_role, saml_provider, assertion)
    with pytest.raises(InvalidIdentityToken, match="already been used"):
        assume(anonymous, saml_role, saml_provider, assertion)


def test_wrong_audience_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken, match="Audience"):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), audience="https://other.example/sp"))


def test_wrong_recipient_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), recipient="https://other.example/acs"))
    # (the Destination names it too: the check that fires first)


def test_expired_assertion_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(ExpiredTokenException):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), lifetime=dt.timedelta(minutes=-10)))


def test_assertion_not_yet_valid_is_refused(anonymous, idp, saml_provider, saml_role):
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with pytest.raises(InvalidIdentityToken, match="NotBefore"):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), not_before=later))


def test_assertion_from_another_issuer_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken, match="Issuer"):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), issuer="https://evil.example/idp"))


def test_role_not_offered_by_the_assertion_is_refused(anonymous, idp, saml_provider, saml_role, root_caller):
    other = roles.create_role(caller=root_caller, role_name="admins",
                              assume_role_policy_document=saml_trust(saml_provider.arn))
    with pytest.raises(AccessDenied, match="Role attribute"):
        assume(anonymous, other, saml_provider, idp.response(roles=pair(saml_role, saml_provider)))


def test_trust_conditions_on_the_subject_are_tested(anonymous, idp, saml_provider, root_caller):
    role = roles.create_role(caller=root_caller, role_name="carol-only", assume_role_policy_document=saml_trust(
        saml_provider.arn, {"StringEquals": {"SAML:sub": "carol@example.com", "SAML:sub_type": "persistent",
                                             "SAML:iss": "https://idp.example.test/saml"}}))
    with pytest.raises(AccessDenied):
        assume(anonymous, role, saml_provider, idp.response(roles=pair(role, saml_provider)))
    result = assume(anonymous, role, saml_provider,
                    idp.response(roles=pair(role, saml_provider), name_id="carol@example.com", session_name="carol"))
    assert result.assumed.arn.endswith("/carol-only/carol")


def test_missing_session_name_is_refused(anonymous, idp, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken, match="RoleSessionName"):
        assume(anonymous, saml_role, saml_provider,
               idp.response(roles=pair(saml_role, saml_provider), session_name=None))


def test_session_duration_attribute_caps_the_session(anonymous, idp, saml_provider, saml_role):
    response = idp.response(roles=pair(saml_role, saml_provider),
                            attributes={"https://aws.amazon.com/SAML/Attributes/SessionDuration": ["900"]})
    session = assume(anonymous, saml_role, saml_provider, response).assumed.session
    assert (session.expiration - session.issued_at).total_seconds() == 900


def test_not_base64_is_refused(anonymous, saml_provider, saml_role):
    with pytest.raises(InvalidIdentityToken, match="base64"):
        assume(anonymous, saml_role, saml_provider, "!!!! not base64 !!!!")


def test_the_purge_forgets_assertions_once_they_can_no_longer_be_replayed(anonymous, idp, saml_provider, saml_role):
    from sts.models import SeenAssertion
    from sts.services import purge_expired_sessions
    assume(anonymous, saml_role, saml_provider, idp.response(roles=pair(saml_role, saml_provider)))
    purge_expired_sessions()
    assert SeenAssertion.objects.count() == 1
    purge_expired_sessions(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert SeenAssertion.objects.count() == 0


def test_audit_names_the_saml_subject_and_never_keeps_the_assertion(anonymous, idp, saml_provider, saml_role):
    from audit.models import AuditEvent

    assertion = idp.response(roles=pair(saml_role, saml_provider))
    assume(anonymous, saml_role, saml_provider, assertion)
    event = AuditEvent.objects.get(event_name="AssumeRoleWithSAML")
    assert event.actor_arn == f"{saml_provider.arn}:alice@example.com"
    assert event.request_parameters["saml_assertion"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert assertion[:200] not in json.dumps(event.request_parameters)
