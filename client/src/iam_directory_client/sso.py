"""`sso login` for a profile with an `sso_session`: the device authorization of SSO OIDC, polled until the person
allows the code in the access portal, and the token written to the cache botocore's SSO token provider reads
(`~/.aws/sso/cache/<sha1 of the session name>.json`), so that boto3 and every AWS CLI then use the profile.

botocore's own SSOTokenProvider reads the profile's sso-session, builds the unsigned sso-oidc client (honouring
AWS_ENDPOINT_URL_SSO_OIDC and the profile's `services` section) and writes the cache; this module adds only what
botocore leaves to the AWS CLI: registering a client and the device authorization."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import botocore.session
from botocore.exceptions import ClientError
from botocore.tokens import SSOTokenProvider
from botocore.utils import SSOTokenLoadError, parse_timestamp

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
# RFC 8628, section 3.5: after slow_down, poll this many seconds less often, for the rest of the authorization.
SLOW_DOWN_SECONDS = 5
# A cached registration is reused while it has at least this long to live.
REGISTRATION_MARGIN = timedelta(hours=1)


class SsoLoginError(Exception):
    """The login could not finish: the profile is not an SSO profile, the code expired, or the service refused."""


@dataclass(frozen=True)
class DeviceCode:
    """What the person needs to allow the sign-in: the page, and the code it must show."""

    verification_uri: str
    verification_uri_complete: str
    user_code: str
    expires_in: int


class _Login(SSOTokenProvider):
    """botocore's SSO token provider, given the device authorization the AWS CLI performs."""

    def __init__(self, session: botocore.session.Session, profile_name: str, *,
                 sleep: Callable[[float], None]) -> None:
        super().__init__(session, profile_name=profile_name)
        self._sleep = sleep

    def config(self) -> dict:
        found = self._sso_config
        if found is None:
            raise SsoLoginError(f'The profile "{self._profile_name}" has no sso_session: sso login needs a profile '
                                "with sso_session and an [sso-session NAME] section with sso_start_url and "
                                "sso_region.")
        scopes = self._session.full_config.get("sso_sessions", {}).get(found["session_name"], {}).get(
            "sso_registration_scopes", "")
        return {**found, "scopes": [scope.strip() for scope in scopes.split(",") if scope.strip()]}

    def registration(self, config: dict) -> dict:
        """The client registration cached with the session's token, while it lasts; else a new one."""
        try:
            cached = self._token_loader(config["sso_start_url"], session_name=config["session_name"])
        except SSOTokenLoadError:
            cached = {}
        expires = cached.get("registrationExpiresAt")
        if cached.get("clientId") and cached.get("clientSecret") and expires and \
                parse_timestamp(expires) - self._now() > REGISTRATION_MARGIN:
            return {"clientId": cached["clientId"], "clientSecret": cached["clientSecret"],
                    "registrationExpiresAt": expires}
        registered = self._client.register_client(
            clientName=f"iam-directory-client-{int(time.time())}", clientType="public",
            **({"scopes": config["scopes"]} if config["scopes"] else {}))
        return {"clientId": registered["clientId"], "clientSecret": registered["clientSecret"],
                "registrationExpiresAt": datetime.fromtimestamp(registered["clientSecretExpiresAt"], UTC)}

    def login(self, show: Callable[[DeviceCode], None]) -> dict:
        config = self.config()
        registration = self.registration(config)
        started = self._client.start_device_authorization(
            clientId=registration["clientId"], clientSecret=registration["clientSecret"],
            startUrl=config["sso_start_url"])
        show(DeviceCode(verification_uri=started["verificationUri"],
                        verification_uri_complete=started.get("verificationUriComplete", started["verificationUri"]),
                        user_code=started["userCode"], expires_in=started["expiresIn"]))
        answer = self._poll(registration, started)
        token = {"startUrl": config["sso_start_url"], "region": config["sso_region"],
                 "accessToken": answer["accessToken"],
                 "expiresAt": self._now() + timedelta(seconds=answer["expiresIn"]), **registration}
        if answer.get("refreshToken"):
            token["refreshToken"] = answer["refreshToken"]
        self._token_loader.save_token(config["sso_start_url"], token, session_name=config["session_name"])
        return token

    def _poll(self, registration: dict, started: dict) -> dict:
        interval = started.get("interval") or 5
        deadline = time.monotonic() + started["expiresIn"]
        while time.monotonic() < deadline:
            self._sleep(interval)
            try:
                return self._client.create_token(
                    grantType=DEVICE_GRANT, deviceCode=started["deviceCode"], clientId=registration["clientId"],
                    clientSecret=registration["clientSecret"])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                if code == "SlowDownException":
                    interval += SLOW_DOWN_SECONDS
                elif code != "AuthorizationPendingException":
                    raise SsoLoginError(f"The sign-in was refused ({code}): "
                                        f"{error.response.get('Error', {}).get('Message', '')}") from None
        raise SsoLoginError("The code expired before it was allowed: run sso login again.")


def login(profile: str, *, show: Callable[[DeviceCode], None], session: botocore.session.Session | None = None,
          sleep: Callable[[float], None] = time.sleep) -> dict:
    """Sign the profile's sso-session in; returns the token written to botocore's SSO cache."""
    session = session or botocore.session.Session(profile=profile)
    return _Login(session, profile, sleep=sleep).login(show)
