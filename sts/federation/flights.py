"""Fetching from identity providers without letting one stall the directory.

Each document is fetched once at a time (a flight): requests that need it meanwhile in the same worker wait on that
fetch, and requests in other workers are refused at once with IDPCommunicationError (AWS SDKs retry it). Across the
web tier at most IAM_FEDERATION_MAX_CONCURRENT_FETCHES requests fetch from, or wait on, identity providers at once;
the others are refused at once too, so the rest of the directory always has workers to answer with. A fetch that
fails is remembered for IAM_FEDERATION_FAILURE_CACHE_SECONDS: until then the directory answers the same error
without asking the provider again. Every fetch is over by its deadline (sts.federation.fetch).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from django.conf import settings

from iam_console.errors import IDPCommunicationError
from iam_console.throttle import FailureThrottle, SharedSlots
from sts.federation.fetch import deadline_from_now

T = TypeVar("T")

_lock = threading.Lock()
_flights: dict[str, tuple[Future, float]] = {}  # key -> (the fetch in progress in this worker, its deadline)
_reasons: dict[str, str] = {}  # key -> why its last fetch failed (this worker's; other workers say less)


def _failures() -> FailureThrottle:
    seconds = settings.IAM_FEDERATION_FAILURE_CACHE_SECONDS
    return FailureThrottle("federation-failed", free=1, base_seconds=seconds, cap_seconds=seconds,
                           window_seconds=max(seconds, 1))


def _lease() -> float:
    return float(settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS) + 1.0


def _tier() -> SharedSlots:
    """Requests fetching from or waiting on identity providers, across the web tier."""
    return SharedSlots("federation-work", settings.IAM_FEDERATION_MAX_CONCURRENT_FETCHES, _lease())


def _flight_slot() -> SharedSlots:
    """The one fetch of a document in progress, across the web tier."""
    return SharedSlots("federation-flight", 1, _lease())


def _busy(what: str) -> IDPCommunicationError:
    return IDPCommunicationError(f"The identity provider could not be reached now: {what}. Try again in a few "
                                 "seconds.")


def remembered_failure(key: str) -> IDPCommunicationError | None:
    """The error a recent failed fetch of `key` ended with, while it is remembered."""
    if settings.IAM_FEDERATION_FAILURE_CACHE_SECONDS <= 0:
        return None
    wait = _failures().wait(key)
    if not wait:
        return None
    reason = _reasons.get(key, "it failed moments ago")
    return IDPCommunicationError(f"{reason[:300]} (remembered: try again in {wait} second{'s' if wait != 1 else ''})")


def forget(key: str) -> None:
    _failures().clear(key)
    _reasons.pop(key, None)


def fetched(key: str, fetch: Callable[[float], T], *, shared: bool = True) -> T:
    """The result of `fetch(deadline)` for `key`: fetched by this request, or by the flight already under way in
    this worker (`shared`), within the cap on federation work. Raises IDPCommunicationError when the provider
    fails now or failed moments ago, or when the cap or another worker's flight leaves no room to wait."""
    failed = remembered_failure(key)
    if failed is not None:
        raise failed
    work_token = _tier().take("tier")
    if work_token is None:
        raise _busy("too many requests are waiting on identity providers")
    try:
        with _lock:
            flight = _flights.get(key) if shared else None
            leading = flight is None
            if leading:
                flight = (Future(), deadline_from_now())
                if shared:
                    _flights[key] = flight
        future, deadline = flight
        if not leading:
            try:
                return future.result(timeout=max(0.0, deadline - time.monotonic()) + 0.5)
            except FutureTimeout:
                raise _busy("its answer did not come in time") from None
            except IDPCommunicationError as error:
                raise IDPCommunicationError(error.message) from None  # each waiter raises its own
        return _lead(key, future, deadline, fetch, shared)
    finally:
        _tier().release("tier", work_token)


def _lead(key: str, future: Future, deadline: float, fetch: Callable[[float], T], shared: bool) -> T:
    flight_token = _flight_slot().take(key) if shared else ""
    try:
        if flight_token is None:
            raise _busy("another request is fetching the same document")
        try:
            result = fetch(deadline)
        except IDPCommunicationError as error:
            _remember(key, error)
            raise
        future.set_result(result)
        return result
    except BaseException as error:
        future.set_exception(error)
        raise
    finally:
        if shared:
            with _lock:
                _flights.pop(key, None)
            if flight_token:
                _flight_slot().release(key, flight_token)


def _remember(key: str, error: IDPCommunicationError) -> None:
    if settings.IAM_FEDERATION_FAILURE_CACHE_SECONDS > 0:
        if len(_reasons) > 1000:
            _reasons.clear()
        _reasons[key] = error.message
        _failures().fail(key)
