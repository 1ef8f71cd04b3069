"""OpenID Connect: the issuer's signing keys (discovery + JWKS, cached, refreshed on rotation) and ID token checks.

PyJWT does the cryptography. Only asymmetric algorithms are accepted, each only with a key of its own type taken
from the issuer's JWKS, so `alg: none` and an HMAC token "signed" with the issuer's public key both fail closed.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.core.cache import cache

from iam_console.errors import ExpiredTokenException, IDPCommunicationError, InvalidIdentityToken
from sts.federation import flights
from sts.federation.fetch import fetch_json
from sts.federation.models import OpenIDConnectProvider

DISCOVERY_PATH = "/.well-known/openid-configuration"
ASYMMETRIC_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
_KEY_TYPE = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
MAX_KEYS = 100

# Parsed keys of the JWKS documents seen by this process, by (issuer, fetch time): parsing is not repeated per token.
_parsed: dict[tuple[str, float], dict[str, list[tuple[dict, Any]]]] = {}


def _cache_key(issuer: str) -> str:
    return "federation:jwks:" + hashlib.sha256(issuer.encode()).hexdigest()


def forget_keys(issuer: str) -> None:
    """Drop the cached keys of an issuer, and any failure remembered of it (its provider was deleted)."""
    cache.delete(_cache_key(issuer))
    flights.forget(f"keys:{issuer}")
    flights.forget(f"discovery:{issuer}")


def discover(issuer: str) -> dict:
    """The issuer's discovery document, checked to name the same issuer and an https JWKS URL (one fetch at a
    time, a failure remembered briefly: sts.federation.flights)."""
    return flights.fetched(f"discovery:{issuer}", lambda deadline: _discover(issuer, deadline))


def _discover(issuer: str, deadline: float) -> dict:
    document = fetch_json(issuer.rstrip("/") + DISCOVERY_PATH, purpose="discovery", deadline=deadline)
    if document.get("issuer") != issuer:
        raise IDPCommunicationError(f"The discovery document of {issuer} names another issuer: "
                                    f"{str(document.get('issuer'))[:200]}")
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith("https://"):
        raise IDPCommunicationError(f"The discovery document of {issuer} has no https jwks_uri")
    return document


def _fetch_jwks(issuer: str) -> dict:
    """The issuer's keys, fetched now: discovery then JWKS, under one deadline, one fetch at a time."""
    return flights.fetched(f"keys:{issuer}", lambda deadline: _fetch_keys(issuer, deadline))


def _fetch_keys(issuer: str, deadline: float) -> dict:
    jwks = fetch_json(_discover(issuer, deadline)["jwks_uri"], purpose="jwks", deadline=deadline)
    keys = jwks.get("keys")
    if not isinstance(keys, list) or len(keys) > MAX_KEYS:
        raise IDPCommunicationError(f"The JWKS of {issuer} has no list of keys (or more than {MAX_KEYS})")
    entry = {"keys": [key for key in keys if isinstance(key, dict)], "fetched_at": time.time()}
    cache.set(_cache_key(issuer), entry, timeout=settings.IAM_FEDERATION_JWKS_CACHE_SECONDS)
    return entry


def _jwks(issuer: str, *, refresh: bool) -> dict:
    entry = cache.get(_cache_key(issuer))
    if entry is None:
        return _fetch_jwks(issuer)
    if refresh and time.time() - entry["fetched_at"] >= settings.IAM_FEDERATION_JWKS_REFRESH_SECONDS:
        return _fetch_jwks(issuer)
    return entry


def _keys_by_id(issuer: str, entry: dict) -> dict[str, list[tuple[dict, Any]]]:
    """kid -> [(jwk, public key)] of the signing keys in a JWKS; symmetric and unusable keys are dropped."""
    memo_key = (issuer, entry["fetched_at"])
    found = _parsed.get(memo_key)
    if found is not None:
        return found
    keys: dict[str, list[tuple[dict, Any]]] = {}
    for jwk in entry["keys"]:
        if jwk.get("kty") not in ("RSA", "EC") or jwk.get("use", "sig") != "sig":
            continue
        try:
            public_key = jwt.PyJWK(jwk).key
        except (jwt.PyJWKError, jwt.InvalidKeyError, KeyError, ValueError, TypeError):
            continue
        if hasattr(public_key, "private_numbers"):
            continue  # a JWKS must publish public keys only
        keys.setdefault(str(jwk.get("kid", "")), []).append((jwk, public_key))
    if len(_parsed) > 256:
        _parsed.clear()
    _parsed[memo_key] = keys
    return keys


def _candidates(keys: dict[str, list[tuple[dict, Any]]], kid: str | None, algorithm: str) -> list[Any]:
    pool = keys.get(kid, []) if kid is not None else [key for group in keys.values() for key in group]
    key_type = _KEY_TYPE[algorithm[:2]]
    return [public_key for jwk, public_key in pool
            if jwk.get("kty") == key_type and jwk.get("alg", algorithm) == algorithm]


@dataclass(frozen=True)
class VerifiedToken:
    provider: OpenIDConnectProvider
    claims: dict
    audience: str  # the client id the token was issued to (azp when present, as AWS's <provider>:aud)

    @property
    def subject(self) -> str:
        return self.claims["sub"]


def _unverified(token: str) -> tuple[dict, dict]:
    try:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise InvalidIdentityToken("The web identity token is not a well-formed signed JWT.") from None
    return header, claims


def provider_for_issuer(issuer: object, account_id: str) -> OpenIDConnectProvider:
    if not isinstance(issuer, str) or not issuer.startswith("https://"):
        raise InvalidIdentityToken("The token's iss claim is not an https URL.")
    provider = OpenIDConnectProvider.objects.filter(account_id=account_id,
                                                    url=issuer.removeprefix("https://").rstrip("/")).first()
    if provider is None:
        raise InvalidIdentityToken(f"No OpenIDConnect provider found in your account for {issuer[:255]}")
    return provider


def verify_token(token: str, *, account_id: str) -> VerifiedToken:
    """The token's claims once its signature, issuer (a provider of the account), audience and validity times have
    all been checked."""
    header, unverified = _unverified(token)
    algorithm = header.get("alg")
    if algorithm not in ASYMMETRIC_ALGORITHMS:
        raise InvalidIdentityToken(f"Unsupported token signing algorithm {str(algorithm)[:20]!r}: the token must be "
                                   "signed with the issuer's RSA or EC key.")
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise InvalidIdentityToken("The token's kid header is not a string.")
    provider = provider_for_issuer(unverified.get("iss"), account_id)
    issuer = unverified["iss"]
    keys = _keys_by_id(issuer, _jwks(issuer, refresh=False))
    candidates = _candidates(keys, kid, algorithm)
    if not candidates:  # a key the issuer has rotated in since we cached its JWKS
        candidates = _candidates(_keys_by_id(issuer, _jwks(issuer, refresh=True)), kid, algorithm)
    claims = None
    for public_key in candidates:
        try:
            claims = jwt.decode(token, public_key, algorithms=[algorithm], issuer=issuer,
                                leeway=settings.IAM_FEDERATION_CLOCK_SKEW_SECONDS,
                                options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_aud": False})
            break
        except jwt.ExpiredSignatureError:
            raise ExpiredTokenException("Token expired: the web identity token's exp is in the past.") from None
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError as error:
            raise InvalidIdentityToken(f"The web identity token was refused: {error}"[:300]) from None
    if claims is None:
        raise InvalidIdentityToken("The web identity token's signature does not match any key the issuer publishes.")
    return VerifiedToken(provider=provider, claims=claims, audience=_audience(provider, claims))


def _audience(provider: OpenIDConnectProvider, claims: dict) -> str:
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if not all(isinstance(value, str) for value in audiences) or not set(audiences) & set(provider.client_ids):
        raise InvalidIdentityToken("Incorrect token audience: the token's aud is not a client ID of the provider.")
    azp = claims.get("azp")
    if isinstance(azp, str) and azp:
        return azp
    return next(value for value in audiences if value in provider.client_ids)


def condition_keys(verified: VerifiedToken) -> dict[str, Any]:
    """The trust-policy condition keys AWS sets for an OIDC token: <provider>:aud, :sub, :oaud, :amr, :email."""
    prefix = verified.provider.url
    claims = verified.claims
    keys: dict[str, Any] = {f"{prefix}:aud": verified.audience, f"{prefix}:sub": verified.subject,
                            "aws:FederatedProvider": verified.provider.arn}
    if "azp" in claims:
        keys[f"{prefix}:oaud"] = claims["aud"]
    if isinstance(claims.get("amr"), (list, str)):
        keys[f"{prefix}:amr"] = claims["amr"]
    if isinstance(claims.get("email"), str):
        keys[f"{prefix}:email"] = claims["email"]
    return keys
