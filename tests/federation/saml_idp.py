"""A SAML identity provider for tests: a real RSA key and certificate, metadata, signed responses (signxml)."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
AWS_SAML = "https://signin.aws.amazon.com/saml"


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Credentials:
    def __init__(self, common_name: str, *, not_after_days: float = 365) -> None:
        now = dt.datetime.now(dt.UTC)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=2))
                     .not_valid_after(now + dt.timedelta(days=not_after_days)).sign(self.key, hashes.SHA256()))

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def cert_b64(self) -> str:
        return base64.b64encode(self.cert.public_bytes(serialization.Encoding.DER)).decode()


class LocalSAMLIdP:
    def __init__(self, entity_id: str = "https://idp.example.test/saml") -> None:
        self.entity_id = entity_id
        self.credentials = Credentials("test SAML IdP")

    def metadata(self, credentials: list[Credentials] | None = None, valid_until: str | None = None) -> str:
        keys = "".join(
            '<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">'
            f"<ds:X509Data><ds:X509Certificate>{c.cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
            "</md:KeyDescriptor>" for c in (credentials if credentials is not None else [self.credentials]))
        until = f' validUntil="{valid_until}"' if valid_until else ""
        return (f'<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
                f'entityID="{self.entity_id}"{until}><md:IDPSSODescriptor '
                'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
                f"{keys}<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>"
                '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
                f'Location="{self.entity_id}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>').ljust(1000)

    def response(self, *, roles: list[str], session_name: str | None = "alice", name_id: str = "alice@example.com",
                 audience: str = AWS_SAML, recipient: str = AWS_SAML, issuer: str | None = None,
                 lifetime: dt.timedelta = dt.timedelta(minutes=5), not_before: dt.datetime | None = None,
                 assertion_id: str | None = None, sign: str = "assertion", signer: Credentials | None = None,
                 attributes: dict[str, list[str]] | None = None, raw: bool = False, in_response_to: str = ""):
        now = dt.datetime.now(dt.UTC)
        assertion_id = assertion_id or f"_a{secrets.token_hex(16)}"
        attrs = {"https://aws.amazon.com/SAML/Attributes/Role": roles, **(attributes or {})}
        if session_name is not None:
            attrs["https://aws.amazon.com/SAML/Attributes/RoleSessionName"] = [session_name]
        attribute_xml = "".join(
            f'<saml:Attribute Name="{name}">' + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>"
                                                       for v in values) + "</saml:Attribute>"
            for name, values in attrs.items())
        assertion = (
            f'<saml:Assertion xmlns:saml="{SAML}" ID="{assertion_id}" Version="2.0" IssueInstant="{_iso(now)}">'
            f"<saml:Issuer>{issuer or self.entity_id}</saml:Issuer>"
            '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">'
            f"{name_id}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_iso(now + lifetime)}" Recipient="{recipient}"'
            + (f' InResponseTo="{in_response_to}"' if in_response_to else "") + "/>"
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_iso(not_before or now - dt.timedelta(seconds=5))}" '
            f'NotOnOrAfter="{_iso(now + lifetime)}"><saml:AudienceRestriction><saml:Audience>{audience}'
            "</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
            f"<saml:AttributeStatement>{attribute_xml}</saml:AttributeStatement></saml:Assertion>")
        signer = signer or self.credentials
        assertion_element = etree.fromstring(assertion)
        if sign == "assertion":
            assertion_element = self._sign(assertion_element, signer, assertion_id)
        response = etree.fromstring(
            f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="_r{secrets.token_hex(8)}" Version="2.0" '
            f'IssueInstant="{_iso(now)}" Destination="{recipient}"><saml:Issuer>{self.entity_id}</saml:Issuer>'
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
            "</samlp:Response>")
        response.append(assertion_element)
        if sign == "response":
            response = self._sign(response, signer, response.get("ID"))
        document = etree.tostring(response)
        return document if raw else base64.b64encode(document).decode()

    @staticmethod
    def _sign(element, signer: Credentials, element_id: str):
        return XMLSigner(c14n_algorithm="http://www.w3.org/2001/10/xml-exc-c14n#").sign(
            element, key=signer.key_pem, cert=signer.cert_pem.decode(), reference_uri=f"#{element_id}")

    @staticmethod
    def encode(document: bytes) -> str:
        return base64.b64encode(document).decode()
