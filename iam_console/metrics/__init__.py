"""The directory's Prometheus metrics, and the one-line helpers the doors, services and jobs record them with.

Every process of an installation (gunicorn's workers, the Celery worker's pool) writes its own values into the
shared metrics folder (`IAM_METRICS_DIR`), and /metrics adds them up (prometheus_client's multi-process mode), so
one scrape sees the whole installation. See docs/operating/monitoring.md for each metric.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from iam_console.metrics import processes

processes.configure()

# Latency buckets from a cached decision (a few ms) to a slow federation round trip (seconds).
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter("iam_http_requests", "HTTP requests answered, by door, operation and status code.",
                   ["door", "operation", "status"])
REQUEST_SECONDS = Histogram("iam_http_request_duration_seconds", "Time to answer an HTTP request, by door and "
                            "operation.", ["door", "operation"], buckets=_LATENCY_BUCKETS)
DECISIONS = Counter("iam_authorization_decisions", "Authorization decisions made by authorize(), by outcome "
                    "(allowed, explicitDeny, implicitDeny).", ["outcome"])
SIGN_IN_FAILURES = Counter("iam_sign_in_failures", "Failed console sign-ins, by reason (credentials, mfa_code, "
                           "locked).", ["reason"])
SIGN_IN_THROTTLES = Counter("iam_sign_in_throttled", "Password guesses refused unchecked because the client (or "
                            "the user) must wait.", ["scope"])
LOCKOUTS = Counter("iam_sign_in_lockouts", "IAM users locked after too many failed guesses.")
STS_SESSIONS = Counter("iam_sts_sessions_issued", "Temporary credentials issued, by operation.", ["operation"])
FEDERATION_FETCHES = Counter("iam_federation_fetches", "Documents fetched from identity providers (discovery, "
                             "jwks, token), by outcome (ok, error).", ["purpose", "outcome"])
JOBS = Counter("iam_celery_jobs", "Celery jobs finished, by task and outcome (succeeded, failed, retried).",
               ["task", "outcome"])

# The door a request came through, when no door has said (new doors set their own label).
UNLABELLED = "other"


def label_request(request: object, *, door: str, operation: str) -> None:
    """Name the door and operation a request is counted under. A door calls it once it knows the operation
    (the Query API after reading Action); values must come from a fixed set, never from raw input."""
    request.iam_metrics_door = door  # type: ignore[attr-defined]
    request.iam_metrics_operation = operation  # type: ignore[attr-defined]


def decision(outcome: str) -> None:
    DECISIONS.labels(outcome=outcome).inc()


def sign_in_failure(reason: str) -> None:
    SIGN_IN_FAILURES.labels(reason=reason).inc()


def sign_in_throttled(scope: str) -> None:
    SIGN_IN_THROTTLES.labels(scope=scope).inc()


def lockout() -> None:
    LOCKOUTS.inc()


def session_issued(operation: str) -> None:
    STS_SESSIONS.labels(operation=operation).inc()


def federation_fetch(purpose: str, *, ok: bool) -> None:
    FEDERATION_FETCHES.labels(purpose=purpose, outcome="ok" if ok else "error").inc()


def job_finished(task: str, outcome: str) -> None:
    JOBS.labels(task=task, outcome=outcome).inc()
