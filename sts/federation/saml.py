"""SAML 2.0: reading an identity provider's metadata, and verifying the signed responses it sends.

signxml verifies XML signatures (canonicalization, digests, RSA/ECDSA) against the certificates the metadata
publishes; only what that signature covers is read afterwards, so signature-wrapping tricks find nothing to use.
Every document is parsed by defusedxml first, which refuses DTDs, entity expansion and external references.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import defusedxml.ElementTree as SafeET
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from defusedxml import DefusedXmlException
from django.conf import settings
from lxml import etree
from signxml import SignatureConfiguration, XMLVerifier
from signxml.exceptions import InvalidInput as SignXMLInvalidInput
from signxml.exceptions import SignXMLException

from iam_console.errors import ExpiredTokenException, InvalidIdentityToken, InvalidInput

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
NS = {"md": MD, "ds": DS, "samlp": SAMLP, "saml": SAML}
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
REDIRECT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
SESSION_DURATION_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
SOURCE_IDENTITY_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
PRINCIPAL_TAG_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"


# ------------------------------------------------------------------------------------------- metadata


@dataclass(frozen=True)
class Metadata:
    entity_id: str
    certificates: list[str]  # PEM
    valid_until: datetime


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _safe_parse(document: str | bytes, what: str, error: type = InvalidInput):
    try:
        return SafeET.fromstring(document, forbid_dtd=True)
    except DefusedXmlException:
        raise error(f"The {what} declares a DTD or entities, which are refused.") from None
    except SafeET.ParseError as problem:
        raise error(f"The {what} is not well-formed XML: {problem}"[:300]) from None


def parse_metadata(document: str, *, now: datetime | None = None) -> Metadata:
    """An IdP's EntityDescriptor: its entityID and signing certificates, which must be present and current."""
    now = now or datetime.now(UTC)
    root = _safe_parse(document.encode(), "SAML metadata document")
    if root.tag != f"{{{MD}}}EntityDescriptor":
        raise InvalidInput("The SAML metadata document must have an md:EntityDescriptor root element.")
    entity_id = root.get("entityID") or ""
    if not entity_id or len(entity_id) > 1024:
        raise InvalidInput("The SAML metadata document's EntityDescriptor has no entityID.")
    idp = root.find("md:IDPSSODescriptor", NS)
    if idp is None:
        raise InvalidInput("The SAML metadata document has no IDPSSODescriptor: it does not describe an identity "
                           "provider.")
    certificates: list[str] = []
    latest_expiry: datetime | None = None
    for descriptor in idp.findall("md:KeyDescriptor", NS):
        if descriptor.get("use", "signing") != "signing":
            continue
        for element in descriptor.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
            try:
                der = base64.b64decode("".join((element.text or "").split()), validate=True)
                certificate = x509.load_der_x509_certificate(der)
            except (binascii.Error, ValueError):
                raise InvalidInput("A signing certificate in the SAML metadata document cannot be read.") from None
            if certificate.not_valid_after_utc <= now:
                raise InvalidInput(f"The signing certificate {certificate.subject.rfc4514_string()[:120]} in the "
                                   f"SAML metadata document expired on {certificate.not_valid_after_utc:%Y-%m-%d}.")
            certificates.append(certificate.public_bytes(serialization.Encoding.PEM).decode())
            latest_expiry = max(latest_expiry or certificate.not_valid_after_utc, certificate.not_valid_after_utc)
    if not certificates or latest_expiry is None:
        raise InvalidInput("The SAML metadata document has no signing certificate (md:KeyDescriptor with "
                           "ds:X509Certificate).")
    valid_until = latest_expiry
    if root.get("validUntil"):
        try:
            valid_until = min(valid_until, _parse_time(root.get("validUntil")))
        except ValueError:
            raise InvalidInput("The SAML metadata document's validUntil is not a date and time.") from None
        if valid_until <= now:
            raise InvalidInput("The SAML metadata document's validUntil is in the past.")
    return Metadata(entity_id=entity_id, certificates=certificates, valid_until=valid_until)


# ------------------------------------------------------------------------------------------- responses


@dataclass
class Assertion:
    assertion_id: str
    issuer: str
    name_id: str
    name_id_format: str
    recipient: str
    not_on_or_after: datetime
    attributes: dict[str, list[str]] = field(default_factory=dict)
    in_response_to: str = ""  # SP-initiated: the AuthnRequest ID this answers ("" when IdP-initiated)

    @property
    def subject_type(self) -> str:
        """AWS's SubjectType: persistent, transient, or the format with its SAML prefix removed."""
        for prefix in ("urn:oasis:names:tc:SAML:2.0:nameid-format:", "urn:oasis:names:tc:SAML:1.1:nameid-format:"):
            if self.name_id_format.startswith(prefix):
                return self.name_id_format.removeprefix(prefix)
        return self.name_id_format or "unspecified"


def decode_response(saml_assertion: str) -> bytes:
    try:
        return base64.b64decode("".join(saml_assertion.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidIdentityToken("The SAML assertion is not base64-encoded.") from None


def _verified_element(document: bytes, certificates: list[str]):
    """The element the IdP's signature covers (the Response, or its Assertion), or InvalidIdentityToken."""
    locations = ("./", f"./{{{SAML}}}Assertion/")
    for pem in certificates:
        for location in locations:
            try:
                result = XMLVerifier().verify(document, x509_cert=pem,
                                              expect_config=SignatureConfiguration(location=location))
            except SignXMLInvalidInput:
                continue  # no signature at this location
            except (SignXMLException, ValueError, etree.LxmlError):
                break  # a signature there that this certificate does not verify: try the next certificate
            return result.signed_xml
    raise InvalidIdentityToken("The SAML response is not signed by a certificate of the identity provider.")


def _child_text(element, path: str) -> str:
    found = element.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _time(value: str) -> datetime:
    try:
        return _parse_time(value)
    except ValueError:
        raise InvalidIdentityToken(f"The SAML assertion holds a time that is not one: {value[:40]!r}") from None


def verify_response(document: bytes, *, certificates: list[str], entity_id: str, audiences: list[str],
                    recipients: list[str], now: datetime | None = None) -> Assertion:
    """Check a SAML Response and return its one signed assertion's facts."""
    now = now or datetime.now(UTC)
    skew = timedelta(seconds=settings.IAM_FEDERATION_CLOCK_SKEW_SECONDS)
    root = _safe_parse(document, "SAML response", InvalidIdentityToken)
    if root.tag != f"{{{SAMLP}}}Response":
        raise InvalidIdentityToken("The SAML assertion must be a samlp:Response.")
    status = root.find("samlp:Status/samlp:StatusCode", NS)
    if status is None or status.get("Value") != SUCCESS:
        raise InvalidIdentityToken("The SAML response does not report success.")
    if root.find(f"{{{SAML}}}EncryptedAssertion") is not None:
        raise InvalidIdentityToken("Encrypted SAML assertions are not supported: configure the IdP to sign them.")
    destination = root.get("Destination")
    if destination and destination not in recipients:
        raise InvalidIdentityToken(f"The SAML response's Destination {destination[:200]} is not this service.")

    signed = _verified_element(document, certificates)
    if signed.tag == f"{{{SAMLP}}}Response":
        assertions = signed.findall("saml:Assertion", NS)
        if len(assertions) != 1:
            raise InvalidIdentityToken("The signed SAML response must hold exactly one assertion.")
        assertion = assertions[0]
    elif signed.tag == f"{{{SAML}}}Assertion":
        if len(root.findall(f"{{{SAML}}}Assertion")) != 1:
            raise InvalidIdentityToken("The SAML response must hold exactly one assertion.")
        assertion = signed
    else:
        raise InvalidIdentityToken("The SAML signature covers neither the response nor its assertion.")

    issuer = _child_text(assertion, "saml:Issuer")
    if issuer != entity_id:
        raise InvalidIdentityToken(f"The SAML assertion's Issuer {issuer[:200]!r} is not the provider's entity ID.")
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is None:
        raise InvalidIdentityToken("The SAML assertion has no Conditions.")
    if conditions.get("NotBefore") and _time(conditions.get("NotBefore")) > now + skew:
        raise InvalidIdentityToken("The SAML assertion is not yet valid (NotBefore).")
    if not conditions.get("NotOnOrAfter"):
        raise InvalidIdentityToken("The SAML assertion's Conditions has no NotOnOrAfter.")
    not_on_or_after = _time(conditions.get("NotOnOrAfter"))
    if not_on_or_after <= now - skew:
        raise ExpiredTokenException("The SAML assertion has expired (NotOnOrAfter).")
    audiences_found = [(a.text or "").strip() for a in conditions.findall("saml:AudienceRestriction/saml:Audience", NS)]
    if not set(audiences_found) & set(audiences):
        raise InvalidIdentityToken("The SAML assertion's Audience does not name this service.")

    subject = assertion.find("saml:Subject", NS)
    name_id = subject.find("saml:NameID", NS) if subject is not None else None
    if name_id is None or not (name_id.text or "").strip():
        raise InvalidIdentityToken("The SAML assertion has no Subject NameID.")
    recipient, in_response_to = "", ""
    for confirmation in subject.findall("saml:SubjectConfirmation", NS):
        data = confirmation.find("saml:SubjectConfirmationData", NS)
        if confirmation.get("Method") != BEARER or data is None:
            continue
        if data.get("NotOnOrAfter") and _time(data.get("NotOnOrAfter")) <= now - skew:
            raise ExpiredTokenException("The SAML assertion's subject confirmation has expired.")
        if data.get("Recipient") in recipients:
            recipient = data.get("Recipient")
            in_response_to = data.get("InResponseTo") or ""
            break
    if not recipient:
        raise InvalidIdentityToken("The SAML assertion has no bearer SubjectConfirmation for this service "
                                   "(Recipient).")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        values = [(value.text or "").strip() for value in attribute.findall("saml:AttributeValue", NS)]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    assertion_id = assertion.get("ID") or ""
    if not assertion_id or len(assertion_id) > 256:
        raise InvalidIdentityToken("The SAML assertion has no ID.")
    return Assertion(assertion_id=assertion_id, issuer=issuer, name_id=name_id.text.strip(),
                     name_id_format=name_id.get("Format", ""), recipient=recipient,
                     not_on_or_after=not_on_or_after, attributes=attributes,
                     in_response_to=in_response_to or root.get("InResponseTo") or "")


def single_sign_on_url(metadata_document: str) -> str | None:
    """The IdP's SingleSignOnService for the HTTP-Redirect binding, where an SP-initiated sign-in starts."""
    root = _safe_parse(metadata_document.encode(), "SAML metadata document")
    for service in root.findall("md:IDPSSODescriptor/md:SingleSignOnService", NS):
        location = service.get("Location") or ""
        if service.get("Binding") == REDIRECT_BINDING and location.startswith("https://"):
            return location
    return None


def authn_request(*, request_id: str, acs_url: str, destination: str, issued_at: datetime) -> str:
    """An AuthnRequest for the HTTP-Redirect binding: DEFLATE, then base64 (the caller URL-encodes it)."""
    document = (f'<samlp:AuthnRequest xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{request_id}" Version="2.0" '
                f'IssueInstant="{issued_at:%Y-%m-%dT%H:%M:%SZ}" Destination="{escape(destination)}" '
                f'AssertionConsumerServiceURL="{escape(acs_url)}" ProtocolBinding="{POST_BINDING}">'
                f"<saml:Issuer>{escape(acs_url)}</saml:Issuer></samlp:AuthnRequest>")
    compressor = zlib.compressobj(wbits=-15)  # raw DEFLATE, as the binding specifies
    deflated = compressor.compress(document.encode()) + compressor.flush()
    return base64.b64encode(deflated).decode()


def name_qualifier(issuer: str, account_id: str, provider_name: str) -> str:
    """AWS's SAML:namequalifier: base64(SHA1(issuer + account id + "/" + provider name)); an identifier, not a MAC."""
    digest = hashlib.sha1(f"{issuer}{account_id}/{provider_name}".encode(), usedforsecurity=False)
    return base64.b64encode(digest.digest()).decode()
