"""SSO OIDC (sso-oidc/2019-06-10) and the portal API (sso/2019-06-10) as services: RegisterClient, the device
authorization, CreateToken with the device-code, authorization-code (PKCE) and refresh-token grants; and with an
access token ListAccounts, ListAccountRoles, GetRoleCredentials and Logout. Secrets (client secrets, device codes,
tokens) are kept as HMAC digests and shown once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone

from iam_console.errors import IAMError
from identitycenter.models import DeviceAuthorization, OidcClient, OidcToken, PortalSession
from identitycenter.services import portal

CLIENT_LIFETIME = timedelta(days=90)
DEVICE_CODE_LIFETIME = timedelta(minutes=10)
POLL_INTERVAL_SECONDS = 1
GRANT_DEVICE = "urn:ietf:params:oauth:grant-type:device_code"
_USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # no vowels (no words), no digits that look like letters


class OidcError(IAMError):
    """An SSO OIDC error: `error` and `error_description` in the body, as the service answers."""

    http_status = 400

    def __init__(self, description: str = "") -> None:
        super().__init__(description)
        self.fields = {"error": self.oauth_error, "error_description": description}


def _oidc_error(code: str, oauth_error: str, status: int = 400) -> type[OidcError]:
    return type(code, (OidcError,), {"code": code, "oauth_error": oauth_error, "http_status": status,
                                     "__module__": __name__,
                                     "__doc__": f"SSO OIDC's refusal with OAuth's {oauth_error} error."})


AuthorizationPendingException = _oidc_error("AuthorizationPendingException", "authorization_pending")
SlowDownException = _oidc_error("SlowDownException", "slow_down")
ExpiredTokenException = _oidc_error("ExpiredTokenException", "expired_token")
InvalidGrantException = _oidc_error("InvalidGrantException", "invalid_grant")
InvalidClientException = _oidc_error("InvalidClientException", "invalid_client", 401)
InvalidRequestException = _oidc_error("InvalidRequestException", "invalid_request")
UnsupportedGrantTypeException = _oidc_error("UnsupportedGrantTypeException", "unsupported_grant_type")
AccessDeniedException = _oidc_error("AccessDeniedException", "access_denied")


class UnauthorizedException(IAMError):
    """The portal API's refusal of a missing, expired or ended access token."""

    code, http_status = "UnauthorizedException", 401


def digest(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"sso-oidc:{secret}".encode(), hashlib.sha256).hexdigest()


# --- clients ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegisteredClient:
    client: OidcClient
    client_secret: str


def register_client(*, client_name: str, client_type: str, scopes: list[str] | None = None,
                    redirect_uris: list[str] | None = None) -> RegisteredClient:
    if client_type != "public":
        raise _oidc_error("InvalidClientMetadataException", "invalid_client_metadata")(
            "clientType must be public.")
    secret = secrets.token_urlsafe(48)
    client = OidcClient.objects.create(
        client_id=secrets.token_urlsafe(16), secret_digest=digest(secret), client_name=client_name[:128],
        client_type=client_type, scopes=list(scopes or []), redirect_uris=list(redirect_uris or []),
        expires_at=timezone.now() + CLIENT_LIFETIME)
    return RegisteredClient(client=client, client_secret=secret)


def _client(client_id: str, client_secret: str) -> OidcClient:
    client = OidcClient.objects.filter(client_id=client_id or "", expires_at__gt=timezone.now()).first()
    if client is None or not hmac.compare_digest(client.secret_digest, digest(client_secret or "")):
        raise InvalidClientException("The client is not registered, or its secret is wrong or expired.")
    return client


# --- the device authorization -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StartedDevice:
    authorization: DeviceAuthorization
    device_code: str


def _user_code() -> str:
    letters = "".join(secrets.choice(_USER_CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def start_device_authorization(*, client_id: str, client_secret: str, start_url: str) -> StartedDevice:
    client = _client(client_id, client_secret)
    device_code = secrets.token_urlsafe(48)
    for _ in range(5):  # a user code already in use is drawn again
        code = _user_code()
        if not DeviceAuthorization.objects.filter(user_code=code).exists():
            break
    authorization = DeviceAuthorization.objects.create(
        client=client, device_digest=digest(device_code), user_code=code, interval=POLL_INTERVAL_SECONDS,
        expires_at=timezone.now() + DEVICE_CODE_LIFETIME)
    return StartedDevice(authorization=authorization, device_code=device_code)


def pending_device(user_code: str) -> DeviceAuthorization | None:
    code = (user_code or "").strip().upper()
    if len(code) == 8 and "-" not in code:
        code = f"{code[:4]}-{code[4:]}"
    return DeviceAuthorization.objects.filter(user_code=code, approved_session=None, used_at=None,
                                              expires_at__gt=timezone.now()).select_related("client").first()


def approve_device(*, user_code: str, session: PortalSession) -> DeviceAuthorization:
    """The person, signed in to the portal, allows the device that shows this code."""
    with transaction.atomic():
        found = pending_device(user_code)
        if found is None:
            raise InvalidRequestException("This code is not valid: it expired, was used, or never existed.")
        DeviceAuthorization.objects.filter(pk=found.pk).update(approved_session=session)
        return found


# --- tokens -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token: OidcToken
    access_token: str
    refresh_token: str

    @property
    def expires_in(self) -> int:
        return max(0, int((self.token.expires_at - timezone.now()).total_seconds()))


def _issue(client: OidcClient, session: PortalSession) -> IssuedToken:
    access, refresh = f"aoa{secrets.token_urlsafe(48)}", f"aor{secrets.token_urlsafe(48)}"
    token = OidcToken.objects.create(client=client, session=session, access_digest=digest(access),
                                     refresh_digest=digest(refresh), expires_at=session.expires_at)
    return IssuedToken(token=token, access_token=access, refresh_token=refresh)


def _device_grant(client: OidcClient, device_code: str) -> IssuedToken | OidcError:
    found = DeviceAuthorization.objects.select_for_update().filter(
        client=client, device_digest=digest(device_code or "")).first()
    now = timezone.now()
    if found is None or found.used_at is not None:
        raise InvalidGrantException("Invalid device code provided.")
    if found.expires_at <= now:
        raise ExpiredTokenException("The device code has expired.")
    if found.approved_session_id is None:
        too_fast = found.last_polled_at is not None and \
            (now - found.last_polled_at).total_seconds() < found.interval
        DeviceAuthorization.objects.filter(pk=found.pk).update(last_polled_at=now)
        # Returned, not raised: the poll's time must be committed for the next poll's throttle.
        if too_fast:
            return SlowDownException("Client is polling too fast.")
        return AuthorizationPendingException("Authorization is still pending.")
    session = portal.live_session(found.approved_session_id)
    DeviceAuthorization.objects.filter(pk=found.pk).update(used_at=now)
    if session is None:
        raise InvalidGrantException("The sign-in that approved this device has ended.")
    return _issue(client, session)


def _refresh_grant(client: OidcClient, refresh_token: str) -> IssuedToken:
    found = OidcToken.objects.select_for_update().filter(client=client, refresh_digest=digest(refresh_token or ""),
                                                         refreshed_at=None).select_related("session").first()
    session = portal.live_session(found.session_id) if found is not None else None
    if session is None:
        raise InvalidGrantException("Invalid refresh token provided.")
    OidcToken.objects.filter(pk=found.pk).update(refreshed_at=timezone.now())
    return _issue(client, session)


def _code_grant(client: OidcClient, code: str, code_verifier: str, redirect_uri: str) -> IssuedToken:
    found = AuthorizationCode.take(client, code, redirect_uri)
    challenge = base64.urlsafe_b64encode(hashlib.sha256((code_verifier or "").encode()).digest()).rstrip(b"=")
    if not hmac.compare_digest(challenge.decode(), found["challenge"]):
        raise InvalidGrantException("The code verifier does not match the code challenge.")
    session = portal.live_session(found["session"])
    if session is None:
        raise InvalidGrantException("The sign-in that issued this code has ended.")
    return _issue(client, session)


class AuthorizationCode:
    """Authorization codes of the PKCE grant: kept in the cache for a minute, good once."""

    LIFETIME = 60

    @staticmethod
    def make(client: OidcClient, session: PortalSession, redirect_uri: str, challenge: str) -> str:
        from django.core.cache import cache

        code = secrets.token_urlsafe(32)
        cache.set(f"sso-oidc-code:{digest(code)}", {"client": client.client_id, "session": str(session.key),
                                                      "redirect_uri": redirect_uri, "challenge": challenge},
                  AuthorizationCode.LIFETIME)
        return code

    @staticmethod
    def take(client: OidcClient, code: str, redirect_uri: str) -> dict:
        from django.core.cache import cache

        key = f"sso-oidc-code:{digest(code or '')}"
        found = cache.get(key)
        cache.delete(key)
        if not found or found["client"] != client.client_id or found["redirect_uri"] != (redirect_uri or ""):
            raise InvalidGrantException("Invalid authorization code provided.")
        return found


def create_token(*, client_id: str, client_secret: str, grant_type: str, device_code: str | None = None,
                 code: str | None = None, code_verifier: str | None = None, redirect_uri: str | None = None,
                 refresh_token: str | None = None) -> IssuedToken:
    with transaction.atomic():
        client = _client(client_id, client_secret)
        if grant_type == GRANT_DEVICE:
            answer = _device_grant(client, device_code or "")
        else:
            answer = _other_grant(client, grant_type, code, code_verifier, redirect_uri, refresh_token)
    if isinstance(answer, OidcError):
        raise answer
    return answer


def _other_grant(client: OidcClient, grant_type: str, code: str | None, code_verifier: str | None,
                 redirect_uri: str | None, refresh_token: str | None) -> IssuedToken:
    if grant_type == "refresh_token":
        return _refresh_grant(client, refresh_token or "")
    if grant_type == "authorization_code":
        return _code_grant(client, code or "", code_verifier or "", redirect_uri or "")
    raise UnsupportedGrantTypeException(f"Unsupported grant type: {grant_type[:64]}")


# --- the portal API -----------------------------------------------------------------------------------------------
def session_of_token(access_token: str) -> PortalSession:
    """The live portal session an access token (x-amz-sso_bearer_token) acts for; UnauthorizedException else."""
    now = timezone.now()
    found = OidcToken.objects.filter(access_digest=digest(access_token or ""), expires_at__gt=now,
                                     session__ended_at=None, session__expires_at__gt=now,
                                     session__user__active=True).select_related("session__user__store").first()
    session = found.session if found is not None else None
    if session is None:
        raise UnauthorizedException("Session token not found or invalid")
    return session


class PortalInvalidRequest(IAMError):
    """The portal API's refusal of a malformed request (here: a page token it did not hand out)."""

    code, http_status = "InvalidRequestException", 400


PAGE_SIZE = 100  # the model's largest maxResults, and the page when none is asked for


@dataclass(frozen=True)
class PortalPage:
    items: list[portal.Access]
    next_token: str | None


def _page(accesses: list[portal.Access], key, *, scope: str, max_results: int | None,
          next_token: str | None) -> PortalPage:
    """One page of `accesses` (already in `key` order) after the item a page token names. Tokens are signed and
    name the last item's sort key, so they are opaque, good only for the list (and account) they came from, and a
    page is right even if assignments changed in between."""
    after = None
    if next_token:
        try:
            after = tuple(signing.loads(next_token, salt=f"sso-portal-page:{scope}"))
        except (signing.BadSignature, TypeError, ValueError):
            raise PortalInvalidRequest("The nextToken is not valid: pass back the nextToken of the previous "
                                       "page unchanged.") from None
    if after is not None:
        accesses = [access for access in accesses if tuple(key(access)) > after]
    limit = max_results or PAGE_SIZE
    page = accesses[:limit]
    more = len(accesses) > limit
    token = signing.dumps(list(key(page[-1])), salt=f"sso-portal-page:{scope}") if more else None
    return PortalPage(items=page, next_token=token)


def _account_key(access: portal.Access) -> tuple[str, str]:
    return access.account.name.lower(), access.account.pk


def _role_key(access: portal.Access) -> tuple[str, str]:
    return access.permission_set.name.lower(), access.permission_set.ps_id


def list_accounts(*, access_token: str, max_results: int | None = None,
                  next_token: str | None = None) -> PortalPage:
    session = session_of_token(access_token)
    seen, accounts = set(), []
    for access in portal.accesses_of(session.user):
        if access.account.pk not in seen:
            seen.add(access.account.pk)
            accounts.append(access)
    return _page(accounts, _account_key, scope="accounts", max_results=max_results, next_token=next_token)


def list_account_roles(*, access_token: str, account_id: str, max_results: int | None = None,
                       next_token: str | None = None) -> PortalPage:
    accesses = portal.accesses_of(session_of_token(access_token).user, account_id)
    return _page(accesses, _role_key, scope=f"roles:{account_id}", max_results=max_results, next_token=next_token)


def get_role_credentials(*, access_token: str, account_id: str, role_name: str, **context) -> portal.PortalCredentials:
    session = session_of_token(access_token)
    caller = portal.person_caller(session.user, **context)
    return portal.get_role_credentials(caller=caller, session=session, account_id=account_id, role_name=role_name)


def logout(*, access_token: str) -> None:
    """Ends the token's sign-in: the portal session, and with it every token of it."""
    portal.sign_out(session_of_token(access_token).key)


