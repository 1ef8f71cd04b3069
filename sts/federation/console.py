"""Console sign-in through a company identity provider: who the IdP says the person is, which roles admit them,
and the role session the console then acts as.

The browser flow (OIDC authorization code with PKCE, SAML POST binding) is the console's; the checks are here:
the ID token and the SAML response are verified exactly as AssumeRoleWithWebIdentity and AssumeRoleWithSAML do,
and the session comes from the same trust-policy evaluation.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from audit.services import record_event
from directory.models import Role
from iam_console.callers import Caller
from iam_console.errors import (
    ExpiredTokenException,
    IAMError,
    InvalidIdentityToken,
    InvalidInput,
    NoSuchEntity,
)
from iam_console.operations import iam_operation
from policies.authorization import authorize_caller
from sts.federation import assume, flights, oidc, saml, saml_assume
from sts.federation.assume import FederatedAssumedRole
from sts.federation.fetch import fetch_json
from sts.federation.models import ConsoleSignInProvider, OpenIDConnectProvider, SAMLProvider
from sts.federation.principals import FederatedIdentity
from sts.services import STS, _trust_allows

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
SAML_ACTION = "sts:AssumeRoleWithSAML"
# How long a verified identity may wait on the role chooser before it must sign in again.
CHOOSER_SECONDS = 300
_REQUEST_KEY = "federation:saml-request:"
_UNSAFE = re.compile(r"[^\w+=,.@-]", re.ASCII)


@dataclass(frozen=True)
class ConsoleIdentity:
    """A verified federated identity between the IdP's answer and the role choice (kept in the server session)."""

    kind: str  # "oidc" or "saml"
    provider_arn: str
    subject: str
    audience: str
    session_name: str
    condition_keys: dict
    offered_roles: list[str] | None  # SAML: the Role attribute's role ARNs; OIDC: every role may be considered
    max_duration: int | None
    valid_until: float

    def as_session(self) -> dict:
        return asdict(self)

    @classmethod
    def from_session(cls, data: dict) -> ConsoleIdentity:
        return cls(**data)

    @property
    def federated(self) -> FederatedIdentity:
        kind = "WebIdentityUser" if self.kind == "oidc" else "SAMLUser"
        return FederatedIdentity(arn=self.provider_arn, unique_id=f"{self.provider_arn}:{self.subject}",
                                 principal_name=self.subject, principal_type=kind)


def session_name_for(*candidates: object) -> str:
    """A RoleSessionName from the person's email or subject: [\\w+=,.@-], 2 to 64 characters."""
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            name = _UNSAFE.sub("-", candidate)[:64]
            if len(name) >= 2:
                return name
    return "federated-user"


def identity_from_id_token(sign_in: ConsoleSignInProvider, id_token: str, nonce: str) -> ConsoleIdentity:
    """Verify the ID token the IdP's token endpoint returned for the console's own client and nonce."""
    verified = oidc.verify_token(id_token, account_id=sign_in.oidc_provider.account_id)
    if verified.provider.pk != sign_in.oidc_provider_id:
        raise InvalidIdentityToken("The ID token was issued by another provider than the one signed in with.")
    audiences = verified.claims["aud"] if isinstance(verified.claims["aud"], list) else [verified.claims["aud"]]
    if sign_in.client_id not in audiences:
        raise InvalidIdentityToken("The ID token was not issued to the console's client ID.")
    if not nonce or verified.claims.get("nonce") != nonce:
        raise InvalidIdentityToken("The ID token's nonce does not match this sign-in.")
    claims = verified.claims
    return ConsoleIdentity(
        kind="oidc", provider_arn=verified.provider.arn, subject=verified.subject, audience=verified.audience,
        session_name=session_name_for(claims.get("email"), claims.get("preferred_username"), verified.subject),
        condition_keys=oidc.condition_keys(verified), offered_roles=None, max_duration=None,
        valid_until=min(float(claims["exp"]), time.time() + CHOOSER_SECONDS))


def start_saml_sign_in(sign_in: ConsoleSignInProvider, acs_url: str) -> str:
    """SP-initiated: the IdP URL carrying a fresh AuthnRequest. Its ID is remembered server-side (the IdP's POST
    back is cross-site, so the browser's session cookie does not come with it) and answered at most once."""
    provider = sign_in.saml_provider
    destination = saml.single_sign_on_url(provider.metadata_document)
    if destination is None:
        raise InvalidInput("The provider's metadata has no https HTTP-Redirect SingleSignOnService: start the "
                           "sign-in from the identity provider.")
    request_id = f"_{secrets.token_hex(20)}"
    cache.set(_REQUEST_KEY + request_id, provider.pk, timeout=CHOOSER_SECONDS)
    request = saml.authn_request(request_id=request_id, acs_url=acs_url, destination=destination,
                                 issued_at=timezone.now())
    separator = "&" if "?" in destination else "?"
    return f"{destination}{separator}{urlencode({'SAMLRequest': request, 'RelayState': provider.arn})}"


def verified_sign_in_assertion(sign_in: ConsoleSignInProvider, saml_response: str, acs_url: str) -> saml.Assertion:
    """Verify a SAML response posted to an ACS URL of ours (accepted once, as AssumeRoleWithSAML does); one that
    answers an AuthnRequest answers one we made, once."""
    provider = sign_in.saml_provider
    assertion = saml_assume.verified_assertion(provider, saml_response, [acs_url])
    if assertion.in_response_to and cache.get(_REQUEST_KEY + assertion.in_response_to) != provider.pk:
        raise InvalidIdentityToken("The SAML response answers a sign-in request this console did not make.")
    if assertion.in_response_to:
        cache.delete(_REQUEST_KEY + assertion.in_response_to)
    return assertion


def identity_from_saml(sign_in: ConsoleSignInProvider, saml_response: str, acs_url: str) -> ConsoleIdentity:
    """Verify a SAML response posted to the console's ACS URL, for the role chooser."""
    provider = sign_in.saml_provider
    assertion = verified_sign_in_assertion(sign_in, saml_response, acs_url)
    session_name, max_duration, _source, _tags = saml_assume.session_parameters(assertion)
    offered = [role for role, arn in saml_assume.role_pairs(assertion.attributes.get(saml.ROLE_ATTRIBUTE) or [])
               if arn == provider.arn]
    return ConsoleIdentity(
        kind="saml", provider_arn=provider.arn, subject=assertion.name_id, audience=assertion.recipient,
        session_name=session_name_for(session_name), condition_keys=saml_assume.condition_keys(provider, assertion),
        offered_roles=offered, max_duration=max_duration,
        valid_until=min(assertion.not_on_or_after.timestamp(), time.time() + CHOOSER_SECONDS))


def _admits(role: Role, identity: ConsoleIdentity, caller: Caller) -> bool:
    federated = identity.federated
    action = WEB_IDENTITY if identity.kind == "oidc" else SAML_ACTION
    context = Caller(principal=federated, via="console", source_ip=caller.source_ip).condition_context(
        {**identity.condition_keys, "sts:RoleSessionName": identity.session_name})
    decision = _trust_allows(role, action, caller, federated.arn, context)
    return decision.allowed and not decision.via_account_root


def admissible_roles(identity: ConsoleIdentity, caller: Caller) -> list[Role]:
    """The roles whose trust policies admit this person now, as AWS's federated sign-in page offers them."""
    roles = Role.objects.filter(account_id=identity.federated.account_id,
                                assume_role_policy_document__contains=identity.provider_arn).order_by("role_name_key")
    if identity.offered_roles is not None:
        roles = [role for role in roles if role.arn in identity.offered_roles]
    return [role for role in roles if _admits(role, identity, caller)]


def _console_assume(caller: Caller, identity: ConsoleIdentity, role_arn: str) -> FederatedAssumedRole:
    if identity.valid_until <= time.time():
        raise ExpiredTokenException("The sign-in has expired: sign in with your identity provider again.")
    action = WEB_IDENTITY if identity.kind == "oidc" else SAML_ACTION
    if identity.offered_roles is not None and role_arn not in identity.offered_roles:
        raise InvalidInput("The identity provider did not offer this role.")
    role = assume.role_for(role_arn, action)
    assumed = assume.assume(caller=caller, identity=identity.federated, role=role, action=action,
                            role_session_name=identity.session_name, duration_seconds=None, policy=None,
                            policy_arns=None, condition_keys=identity.condition_keys, tags={},
                            max_duration=identity.max_duration)
    return FederatedAssumedRole(assumed=assumed, identity=identity.federated, audience=identity.audience,
                                provider=identity.provider_arn, extra={})


@iam_operation("AssumeRoleWithWebIdentity", audit_reads=True, event_source=STS, needs_permission=False)
def console_assume_with_web_identity(*, caller: Caller, identity: ConsoleIdentity,
                                     role_arn: str) -> FederatedAssumedRole:
    return _console_assume(caller, identity, role_arn)


@iam_operation("AssumeRoleWithSAML", audit_reads=True, event_source=STS, needs_permission=False)
def console_assume_with_saml(*, caller: Caller, identity: ConsoleIdentity, role_arn: str) -> FederatedAssumedRole:
    return _console_assume(caller, identity, role_arn)


def sign_in_providers(account_id: str | None) -> list[ConsoleSignInProvider]:
    """What an account's sign-in page offers (public: labels only): its own providers' buttons. None: every
    account's (the SAML endpoint, which finds the provider a response names)."""
    options = ConsoleSignInProvider.objects.select_related("oidc_provider", "saml_provider")
    if account_id is not None:
        options = options.filter(Q(oidc_provider__account_id=account_id) | Q(saml_provider__account_id=account_id))
    return list(options)


def sign_in_provider(pk: object) -> ConsoleSignInProvider:
    found = ConsoleSignInProvider.objects.select_related("oidc_provider", "saml_provider").filter(
        pk=pk if isinstance(pk, int) else -1).first()
    if found is None:
        raise NoSuchEntity("This sign-in option does not exist.")
    return found


@iam_operation("SetConsoleSignInProvider")
def set_console_sign_in_provider(*, caller: Caller, provider_arn: str, label: str, client_id: str = "",
                                 sign_in_url: str = "") -> ConsoleSignInProvider:
    """Show a provider on the sign-in page (or change how). Authorized as iam:SetConsoleSignInProvider, a
    directory action with no AWS counterpart, on the provider's ARN."""
    account = caller.account_id
    oidc_provider = OpenIDConnectProvider.objects.filter(
        account_id=account, url=provider_arn.partition(":oidc-provider/")[2]).first() \
        if ":oidc-provider/" in provider_arn else None
    saml_provider = SAMLProvider.objects.filter(
        account_id=account, name=provider_arn.partition(":saml-provider/")[2]).first() \
        if ":saml-provider/" in provider_arn else None
    provider = oidc_provider or saml_provider
    if provider is None or provider.arn != provider_arn:
        raise NoSuchEntity(f"No identity provider {provider_arn[:200]}")
    authorize_caller(caller, "iam:SetConsoleSignInProvider", provider.arn)
    if not isinstance(label, str) or not 1 <= len(label.strip()) <= 64:
        raise InvalidInput("The label must be 1 to 64 characters.")
    if oidc_provider is not None and client_id not in oidc_provider.client_ids:
        raise InvalidInput("The console's client ID must be one of the provider's client IDs.")
    if saml_provider is not None and sign_in_url and not sign_in_url.startswith("https://"):
        raise InvalidInput("The IdP's sign-in URL must be an https URL.")
    found, _ = ConsoleSignInProvider.objects.update_or_create(
        oidc_provider=oidc_provider, saml_provider=saml_provider,
        defaults={"label": label.strip(), "client_id": client_id if oidc_provider else "",
                  "sign_in_url": sign_in_url if saml_provider else ""})
    return found


@iam_operation("RemoveConsoleSignInProvider")
def remove_console_sign_in_provider(*, caller: Caller, provider_arn: str) -> None:
    for found in sign_in_providers(caller.account_id):
        if found.provider.arn == provider_arn:
            authorize_caller(caller, "iam:RemoveConsoleSignInProvider", provider_arn)
            found.delete()
            return
    raise NoSuchEntity(f"{provider_arn[:200]} is not on the sign-in page.")


def discovery_endpoints(provider: OpenIDConnectProvider) -> tuple[str, str]:
    document = oidc.discover(provider.issuer)
    authorize, token = document.get("authorization_endpoint"), document.get("token_endpoint")
    if not (isinstance(authorize, str) and authorize.startswith("https://") and isinstance(token, str)
            and token.startswith("https://")):
        raise InvalidIdentityToken("The issuer's discovery document has no https authorization and token endpoints.")
    return authorize, token


def exchange_code(sign_in: ConsoleSignInProvider, *, code: str, verifier: str, redirect_uri: str) -> str:
    """The ID token the IdP's token endpoint gives for an authorization code (PKCE: the verifier proves the start)."""
    _authorize, token_endpoint = discovery_endpoints(sign_in.oidc_provider)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": sign_in.client_id, "code_verifier": verifier}
    # Each code is exchanged once: not shared with other sign-ins, but within the cap on federation work.
    answer = flights.fetched(f"token:{token_endpoint}",
                             lambda deadline: fetch_json(token_endpoint, purpose="token", form=form,
                                                         deadline=deadline),
                             shared=False)
    id_token = answer.get("id_token")
    if not isinstance(id_token, str):
        raise InvalidIdentityToken("The identity provider's token endpoint returned no ID token.")
    return id_token


def record_console_login(caller: Caller, *, identity: ConsoleIdentity | None = None,
                         result: FederatedAssumedRole | None = None, error: IAMError | None = None) -> None:
    """ConsoleLogin for a sign-in through an IdP, naming the federated identity (or, refused, what was refused)."""
    if identity is not None:
        caller = Caller(principal=identity.federated, via="console", source_ip=caller.source_ip,
                        user_agent=caller.user_agent, secure_transport=caller.secure_transport)
    parameters = {"provider": identity.provider_arn} if identity is not None else {}
    if result is not None:
        parameters["role_arn"] = result.assumed.session.role.arn
    record_event(caller=caller, event_name="ConsoleLogin", event_source="signin.amazonaws.com",
                 actor_arn=identity.federated.display_name if identity is not None else None,
                 request_parameters=parameters,
                 response_elements={"ConsoleLogin": "Failure" if error else "Success",
                                     **({"assumedRoleArn": result.assumed.arn} if result else {})},
                 resources=[parameters["role_arn"], identity.provider_arn] if result and identity else [],
                 error_code=error.code if error else "", error_message=error.message if error else "")
