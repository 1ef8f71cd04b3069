"""Each operation of SSO OIDC and the portal API, calling identitycenter's services: `handler(request, params)`
returns a dict shaped like the operation's output (timestamps as datetimes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from iam_console.callers import client_ip
from identitycenter.services import oidc


def register_client(request: HttpRequest, params: dict) -> dict:
    registered = oidc.register_client(client_name=params["clientName"], client_type=params["clientType"],
                                      scopes=params.get("scopes"), redirect_uris=params.get("redirectUris"))
    client = registered.client
    return {"clientId": client.client_id, "clientSecret": registered.client_secret,
            "clientIdIssuedAt": int(client.issued_at.timestamp()),
            "clientSecretExpiresAt": int(client.expires_at.timestamp())}


def start_device_authorization(request: HttpRequest, params: dict) -> dict:
    started = oidc.start_device_authorization(client_id=params["clientId"], client_secret=params["clientSecret"],
                                              start_url=params["startUrl"])
    authorization = started.authorization
    page = request.build_absolute_uri("/start/device/")
    return {"deviceCode": started.device_code, "userCode": authorization.user_code, "verificationUri": page,
            "verificationUriComplete": f"{page}?user_code={authorization.user_code}",
            "expiresIn": oidc.DEVICE_CODE_LIFETIME.seconds, "interval": authorization.interval}


def create_token(request: HttpRequest, params: dict) -> dict:
    issued = oidc.create_token(client_id=params["clientId"], client_secret=params["clientSecret"],
                               grant_type=params["grantType"], device_code=params.get("deviceCode"),
                               code=params.get("code"), code_verifier=params.get("codeVerifier"),
                               redirect_uri=params.get("redirectUri"), refresh_token=params.get("refreshToken"))
    return {"accessToken": issued.access_token, "tokenType": "Bearer", "expiresIn": issued.expires_in,
            "refreshToken": issued.refresh_token}


def list_accounts(request: HttpRequest, params: dict) -> dict:
    page = oidc.list_accounts(access_token=params["accessToken"], max_results=params.get("maxResults"),
                              next_token=params.get("nextToken"))
    return {"accountList": [{"accountId": a.account.pk, "accountName": a.account.name,
                             "emailAddress": a.account.email} for a in page.items], "nextToken": page.next_token}


def list_account_roles(request: HttpRequest, params: dict) -> dict:
    page = oidc.list_account_roles(access_token=params["accessToken"], account_id=params["accountId"],
                                   max_results=params.get("maxResults"), next_token=params.get("nextToken"))
    # As AWS names them: the permission set's name (GetRoleCredentials takes it back).
    return {"roleList": [{"roleName": a.permission_set.name, "accountId": a.account.pk} for a in page.items],
            "nextToken": page.next_token}


def get_role_credentials(request: HttpRequest, params: dict) -> dict:
    granted = oidc.get_role_credentials(access_token=params["accessToken"], account_id=params["accountId"],
                                        role_name=params["roleName"], source_ip=client_ip(request),
                                        user_agent=request.headers.get("User-Agent", "")[:256])
    assumed = granted.assumed
    return {"roleCredentials": {
        "accessKeyId": assumed.access_key_id, "secretAccessKey": assumed.secret_access_key,
        "sessionToken": assumed.session_token,
        # The portal API gives the expiration in epoch milliseconds (a `long`, not a timestamp).
        "expiration": int(assumed.expiration.timestamp() * 1000)}}


def logout(request: HttpRequest, params: dict) -> dict:
    oidc.logout(access_token=params["accessToken"])
    return {}


HANDLERS: dict[tuple[str, str], Callable[[HttpRequest, dict], dict[str, Any]]] = {
    ("sso-oidc", "RegisterClient"): register_client,
    ("sso-oidc", "StartDeviceAuthorization"): start_device_authorization,
    ("sso-oidc", "CreateToken"): create_token,
    ("sso", "ListAccounts"): list_accounts,
    ("sso", "ListAccountRoles"): list_account_roles,
    ("sso", "GetRoleCredentials"): get_role_credentials,
    ("sso", "Logout"): logout,
}
