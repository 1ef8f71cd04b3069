"""Signing in to the access portal through the company identity provider: an identity the console's federation
has verified (an OIDC ID token with its nonce and PKCE, or a signed SAML assertion) is matched to one active person
of the identity store, by external id, then user name, then e-mail address, and starts that person's portal
session."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from accounts.selectors import management_account_id
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.access import instance_of
from identitycenter.services.portal import PortalSignInFailed, SignedIn, start_session
from identitystore.models import WorkforceUser
from sts.federation import saml
from sts.federation.console import ConsoleIdentity, verified_sign_in_assertion
from sts.federation.models import ConsoleSignInProvider
from sts.federation.saml import Assertion

NO_PERSON = ("Your identity provider signed you in, but no single active person of the identity store has your "
             "user name, e-mail address or external id. Ask an administrator.")

# SAML attributes IdPs carry the e-mail address in: the short name, the WS-Federation claim, the LDAP `mail` OID.
SAML_EMAIL_ATTRIBUTES = ("email", "emailaddress", "mail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
                         "emailaddress", "urn:oid:0.9.2342.19200300.100.1.3")


@dataclass(frozen=True)
class Claimed:
    """What a verified identity may be known by here: its subject, external ids, user names, e-mail addresses."""

    subject: str
    external_ids: list[dict]
    names: list[str]
    emails: list[str]


def _from_oidc(identity: ConsoleIdentity) -> Claimed:
    issuer = identity.provider_arn.split(":oidc-provider/", 1)[-1] if ":oidc-provider/" in identity.provider_arn \
        else identity.provider_arn
    external = [{"Issuer": issuer, "Id": identity.subject}, {"Issuer": f"https://{issuer}", "Id": identity.subject}]
    emails = [value for key, value in identity.condition_keys.items()
              if key.endswith(":email") and isinstance(value, str)]
    names = list(dict.fromkeys([identity.subject, identity.session_name, *emails]))
    return Claimed(subject=identity.subject, external_ids=external, names=names, emails=emails)


def _from_saml(assertion: Assertion) -> Claimed:
    """NameID is the subject (the external id under the IdP's entity id, and the user name, as Identity Center
    matches it); e-mail attributes and a RoleSessionName are further user names."""
    emails = [value for name, values in assertion.attributes.items() if name.lower() in SAML_EMAIL_ATTRIBUTES
              for value in values if value]
    session_names = assertion.attributes.get(saml.SESSION_NAME_ATTRIBUTE) or []
    names = list(dict.fromkeys([assertion.name_id, *session_names[:1], *emails]))
    return Claimed(subject=assertion.name_id, external_ids=[{"Issuer": assertion.issuer, "Id": assertion.name_id}],
                   names=names, emails=emails)


def match_person(claimed: Claimed) -> WorkforceUser | None:
    """The one active person the identity names: the first rule that finds exactly one decides."""
    instance = instance_of(management_account_id())
    if instance is None or not claimed.subject:
        return None
    people = WorkforceUser.objects.filter(store_id=instance.store_id, active=True).select_related("store")
    external_match = Q(scim_external_id=claimed.subject)
    for external_id in claimed.external_ids:
        external_match |= Q(external_ids__contains=[external_id])
    rules = [external_match, Q(user_name_key__in=[name.lower() for name in claimed.names if name])]
    rules += [Q(profile__contains={"Emails": [{"Value": email}]}) for email in claimed.emails]
    for rule in rules:
        found = list(people.filter(rule)[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None  # ambiguous: nobody, rather than a guess
    return None


def _start(claimed: Claimed) -> SignedIn:
    person = match_person(claimed)
    if person is None:
        raise PortalSignInFailed(NO_PERSON)
    return start_session(person)


@iam_operation("Authenticate", event_source="signin.amazonaws.com", needs_permission=False)
def sign_in_federated(*, caller: Caller, identity: ConsoleIdentity) -> SignedIn:
    """The portal session of the person a verified OIDC identity is matched to. The identity provider
    authenticated the person (its own MFA included), as Identity Center trusts an external IdP."""
    return _start(_from_oidc(identity))


@iam_operation("Authenticate", event_source="signin.amazonaws.com", needs_permission=False)
def sign_in_saml(*, caller: Caller, sign_in: ConsoleSignInProvider, saml_assertion: str, acs_url: str) -> SignedIn:
    """The portal session of the person a SAML response names (NameID and attributes), once the federation's SAML
    checks have verified it: signature, audience, recipient, lifetime, one use. A refusal is audited here too; the
    response itself is not (its parameter name keeps it out of the record)."""
    assertion = verified_sign_in_assertion(sign_in, saml_assertion, acs_url)
    return _start(_from_saml(assertion))
