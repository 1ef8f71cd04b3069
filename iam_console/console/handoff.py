"""One-time handoff of a secret from a POST to the page it redirects to (post/redirect/get).

A form that creates a secret (an access key, a console password, MFA recovery codes, role session
credentials) redirects to an ordinary page, which shows the secret once. Between the two requests the secret
is sealed with AES-GCM under a fresh random key: the sealed bytes wait in the cache (Redis) for a few minutes,
the key in the signed-in session. Neither store alone holds a readable secret, and taking the handoff deletes
it, so a reload, a second tab or the back button shows it no more. The cache's delete says whether this
request removed the entry, which makes the take single-use even when two requests race for it.
"""

from __future__ import annotations

import base64
import json
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

SESSION_KEY = "iam_handoffs"
LIFETIME_SECONDS = 300
_CACHE_PREFIX = "console-handoff:"


def give(request: HttpRequest, slot: str, payload: dict) -> None:
    """Keep `payload` for the next page that asks for `slot` (such as "access-key:alice") in this session."""
    handle, key, nonce = secrets.token_urlsafe(24), AESGCM.generate_key(bit_length=256), os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, json.dumps(payload).encode(), slot.encode())
    cache.set(_CACHE_PREFIX + handle, nonce + sealed, LIFETIME_SECONDS)
    handoffs = dict(request.session.get(SESSION_KEY) or {})
    previous = handoffs.get(slot)
    if previous:
        cache.delete(_CACHE_PREFIX + previous["handle"])
    handoffs[slot] = {"handle": handle, "key": base64.b64encode(key).decode()}
    request.session[SESSION_KEY] = handoffs


def take(request: HttpRequest, slot: str) -> dict | None:
    """The payload handed to `slot`, once; None when there is none, it expired, or it was already taken."""
    handoffs = dict(request.session.get(SESSION_KEY) or {})
    entry = handoffs.pop(slot, None)
    if entry is None:
        return None
    request.session[SESSION_KEY] = handoffs
    cache_key = _CACHE_PREFIX + entry["handle"]
    blob = cache.get(cache_key)
    if blob is None or not cache.delete(cache_key):
        return None
    try:
        plain = AESGCM(base64.b64decode(entry["key"])).decrypt(blob[:12], blob[12:], slot.encode())
    except (InvalidTag, ValueError):
        return None
    return json.loads(plain)


def no_store(response: HttpResponse) -> HttpResponse:
    """A page that shows a secret must not be kept by any cache, nor come back from the browser's history."""
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    return response
