"""Signing in to the access portal through the company identity provider: an identity the console's federation
has verified (an OIDC ID token, with its nonce and PKCE) is matched to one active person of the identity store, by
external id, then user name, then e-mail address, and starts that person's portal session."""

from __future__ import annotations

from django.db.models import Q

from accounts.selectors import management_account_id
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.access import instance_of
from identitycenter.services.portal import PortalSignInFailed, SignedIn, start_session
from identitystore.models import WorkforceUser
from sts.federation.console import ConsoleIdentity

NO_PERSON = ("Your identity provider signed you in, but no single active person of the identity store has your "
             "user name, e-mail address or external id. Ask an administrator.")


def _candidates(identity: ConsoleIdentity) -> tuple[list[dict], list[str], list[str]]:
    """(external ids, user names, e-mail addresses) the verified identity may be known by here."""
    issuer = identity.provider_arn.split(":oidc-provider/", 1)[-1] if ":oidc-provider/" in identity.provider_arn \
        else identity.provider_arn
    external = [{"Issuer": issuer, "Id": identity.subject}, {"Issuer": f"https://{issuer}", "Id": identity.subject}]
    emails = [value for key, value in identity.condition_keys.items()
              if key.endswith(":email") and isinstance(value, str)]
    names = list(dict.fromkeys([identity.subject, identity.session_name, *emails]))
    return external, names, emails


def match_person(identity: ConsoleIdentity) -> WorkforceUser | None:
    """The one active person the identity names: the first rule that finds exactly one decides."""
    instance = instance_of(management_account_id())
    if instance is None:
        return None
    people = WorkforceUser.objects.filter(store_id=instance.store_id, active=True).select_related("store")
    external, names, emails = _candidates(identity)
    external_match = Q(scim_external_id=identity.subject)
    for external_id in external:
        external_match |= Q(external_ids__contains=[external_id])
    rules = [external_match, Q(user_name_key__in=[name.lower() for name in names if name])]
    rules += [Q(profile__contains={"Emails": [{"Value": email}]}) for email in emails]
    for rule in rules:
        found = list(people.filter(rule)[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return None  # ambiguous: nobody, rather than a guess
    return None


@iam_operation("Authenticate", event_source="signin.amazonaws.com", needs_permission=False)
def sign_in_federated(*, caller: Caller, identity: ConsoleIdentity) -> SignedIn:
    """The portal session of the person a verified federated identity is matched to. The identity provider
    authenticated the person (its own MFA included), as Identity Center trusts an external IdP."""
    person = match_person(identity)
    if person is None:
        raise PortalSignInFailed(NO_PERSON)
    return start_session(person)
