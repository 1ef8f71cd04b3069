"""Django settings, read from the environment through typed helpers that fail fast."""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

from iam_console import embedded
from iam_console.settings_registry import read

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = read("DEBUG")
# The test suite lowers the Argon2 cost and needs no SECRET_KEY; running under pytest implies it.
TESTING = read("IAM_TESTING", "pytest" in sys.modules)


def _secret_key() -> str:
    key = read("SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")
        return key
    if not (DEBUG or TESTING or read("IAM_EMBEDDED")):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (set DEBUG=true or IAM_EMBEDDED=true for a local console)."
        )
    # A local console keeps a generated key in its data folder so sessions survive restarts.
    path = embedded.data_dir(BASE_DIR) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = read("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = read("CSRF_TRUSTED_ORIGINS")

# --- IAM identity of this directory -------------------------------------------------------------
# The management account's id, name and e-mail: read once, when a fresh database bootstraps its first account
# (or when an existing single-account database upgrades to accounts). Every request's account comes from its
# caller; these are never read at request time.
IAM_ACCOUNT_ID = read("IAM_ACCOUNT_ID")
IAM_ACCOUNT_NAME = read("IAM_ACCOUNT_NAME")
IAM_ACCOUNT_EMAIL = read("IAM_ACCOUNT_EMAIL")
if not 1 <= len(IAM_ACCOUNT_NAME) <= 50:
    raise ImproperlyConfigured(f"IAM_ACCOUNT_NAME is {len(IAM_ACCOUNT_NAME)} characters long: an account name has "
                               "1 to 50.")
if IAM_ACCOUNT_EMAIL is not None and not (6 <= len(IAM_ACCOUNT_EMAIL) <= 64 and "@" in IAM_ACCOUNT_EMAIL):
    raise ImproperlyConfigured(f"IAM_ACCOUNT_EMAIL={IAM_ACCOUNT_EMAIL!r} is not valid: expected an e-mail address "
                               "of 6 to 64 characters.")
IAM_PARTITION = read("IAM_PARTITION")
IAM_DEFAULT_REGION = read("IAM_DEFAULT_REGION")
# Access key secrets are derived from this key and a per-key nonce, so the database never holds them.
IAM_CREDENTIAL_KEY = read("IAM_CREDENTIAL_KEY", SECRET_KEY)
IAM_SIGV4_MAX_CLOCK_SKEW_SECONDS = read("IAM_SIGV4_MAX_CLOCK_SKEW_SECONDS")
IAM_ACCESS_KEY_LAST_USED_INTERVAL_SECONDS = read("IAM_ACCESS_KEY_LAST_USED_INTERVAL_SECONDS")
IAM_ROOT_USER_NAME = read("IAM_ROOT_USER_NAME")
# Managed policies attached to one user or group: AWS's default quota is 10, raisable to 20.
IAM_MANAGED_POLICIES_PER_ENTITY = read("IAM_MANAGED_POLICIES_PER_ENTITY")

# --- Console sign-in ----------------------------------------------------------------------------
IAM_LOCKOUT_THRESHOLD = read("IAM_LOCKOUT_THRESHOLD")
IAM_LOCKOUT_WINDOW_SECONDS = read("IAM_LOCKOUT_WINDOW_SECONDS")
IAM_LOCKOUT_DURATION_SECONDS = read("IAM_LOCKOUT_DURATION_SECONDS")
# Sign-in protection (docs/security/sign-in-protection.md): failures from one client first slow that client down, exponentially.
IAM_SIGN_IN_CLIENT_FREE_FAILURES = read("IAM_SIGN_IN_CLIENT_FREE_FAILURES")
IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS = read("IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS")
IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS = read("IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS")
IAM_SIGN_IN_CLIENT_WINDOW_SECONDS = read("IAM_SIGN_IN_CLIENT_WINDOW_SECONDS")
# A browser that signed in successfully keeps a signed cookie this long; a user's lockout does not apply to it.
IAM_SIGN_IN_DEVICE_DAYS = read("IAM_SIGN_IN_DEVICE_DAYS")
SESSION_COOKIE_AGE = read("IAM_SESSION_ABSOLUTE_TIMEOUT_SECONDS")
IAM_SESSION_IDLE_TIMEOUT_SECONDS = read("IAM_SESSION_IDLE_TIMEOUT_SECONDS")

# --- MFA (TOTP: SHA1, 6 digits, 30 s, what every authenticator app speaks) -------------------------
# Time steps accepted either side of the server's clock.
IAM_MFA_TOLERANCE_STEPS = read("IAM_MFA_TOLERANCE_STEPS")
# An MFA device given IAM_LOCKOUT_THRESHOLD wrong codes in a row is locked for IAM_LOCKOUT_DURATION_SECONDS on every
# door; each further wrong code doubles the lock, up to this (iam_console.guesses).
IAM_MFA_LOCKOUT_MAX_SECONDS = read("IAM_MFA_LOCKOUT_MAX_SECONDS")
# The issuer authenticator apps show next to the account.
IAM_MFA_ISSUER = read("IAM_MFA_ISSUER")
# How long the code step of a sign-in waits after a correct password.
IAM_MFA_SIGN_IN_SECONDS = read("IAM_MFA_SIGN_IN_SECONDS")

# --- Federation (OpenID Connect and SAML identity providers) ------------------------------------------
# Issuer and JWKS URLs resolving to private, loopback or reserved addresses are refused unless this allows
# internal identity providers (it also opens the door to requests into the internal network: allow with care).
IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS = read("IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS")
# Extra certificate authorities trusted for identity providers' HTTPS (a PEM file), besides the system's.
IAM_FEDERATION_CA_BUNDLE = read("IAM_FEDERATION_CA_BUNDLE")
# One deadline for each fetch from an identity provider, from name resolution to its last byte.
IAM_FEDERATION_HTTP_TIMEOUT_SECONDS = read("IAM_FEDERATION_HTTP_TIMEOUT_SECONDS")
# Requests fetching from, or waiting on, identity providers at once across the web tier; more are refused at once
# with IDPCommunicationError (which AWS SDKs retry), so slow providers never hold every worker.
IAM_FEDERATION_MAX_CONCURRENT_FETCHES = read("IAM_FEDERATION_MAX_CONCURRENT_FETCHES")
# A fetch that failed is remembered this long: the same error is answered without asking the provider again.
IAM_FEDERATION_FAILURE_CACHE_SECONDS = read("IAM_FEDERATION_FAILURE_CACHE_SECONDS")
# How long an issuer's signing keys are trusted before they are fetched again.
IAM_FEDERATION_JWKS_CACHE_SECONDS = read("IAM_FEDERATION_JWKS_CACHE_SECONDS")
# A token signed with an unknown key id refetches the keys (a rotation), at most once per this interval.
IAM_FEDERATION_JWKS_REFRESH_SECONDS = read("IAM_FEDERATION_JWKS_REFRESH_SECONDS")
# Clock skew tolerated on exp / nbf / iat and on SAML's NotBefore / NotOnOrAfter.
IAM_FEDERATION_CLOCK_SKEW_SECONDS = read("IAM_FEDERATION_CLOCK_SKEW_SECONDS")
# SAML: the Audience values and the bearer Recipient URLs an assertion may name for AssumeRoleWithSAML (AWS's own,
# so that an IdP's ready-made "AWS" application works unchanged). Console sign-in adds its own endpoint.
IAM_SAML_AUDIENCES = read("IAM_SAML_AUDIENCES")
IAM_SAML_RECIPIENTS = read("IAM_SAML_RECIPIENTS")

# --- Applications -------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # ReDoc's script, served by the project: the docs page needs no CDN
    "django_htmx",
    "django_ace",  # ships ACE for the policy editor (static files only)
    "django_otp",
    "iam_console",
    "audit",
    "accounts",
    "directory",
    "policies",
    "sts",
    "organizations",
    "identitystore",
    "evidence",
    "identitycenter",
    "analyzers",
]

MIDDLEWARE = [
    "iam_console.middleware.RequestIdMiddleware",
    # Counts and times every request, by door and operation (after the request id, before any door answers).
    "iam_console.metrics.middleware.RequestMetricsMiddleware",
    "iam_console.outages.RetryAfterMiddleware",
    # The decisions a request makes (last accessed) are acknowledged by Redis before its answer leaves.
    "evidence.middleware.DecisionsWrittenTogetherMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "iam_console.middleware.SecurityHeadersMiddleware",
    # The AWS JSON 1.1 door (an X-Amz-Target) and the Query API answer signed requests at `/` before sessions and
    # CSRF, which are the console's.
    "iam_console.awsjson.endpoint.AwsJsonMiddleware",
    # SSO OIDC and the portal API (REST-JSON, unsigned): only their exact URIs, before sessions and CSRF.
    "iam_console.restjson.endpoint.RestJsonMiddleware",
    "iam_console.query.endpoint.QueryAPIMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A browser signed in through a company IdP: its federated identity, acting as its role session.
    "iam_console.console.federated_user.FederatedUserMiddleware",
    # Session rules (timeouts, forced password change, MFA enrolment) for every door that takes the cookie.
    "sts.console_sessions.ConsoleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "iam_console.urls"
WSGI_APPLICATION = "iam_console.wsgi.application"
AUTH_USER_MODEL = "directory.User"
AUTHENTICATION_BACKENDS = ["directory.auth_backend.IAMUserBackend"]
# User names are unique case-insensitively through User.user_name_key, which the backend above looks up.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
LOGIN_URL = "console:sign-in"
LOGIN_REDIRECT_URL = "console:dashboard"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # templates/ at the top of a checkout; an installed package carries them as iam_console/templates (an
        # app's own, found through APP_DIRS), see pyproject.toml.
        "DIRS": [BASE_DIR / "templates"] if (BASE_DIR / "templates").is_dir() else [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


# --- Database -----------------------------------------------------------------------------------
def _database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL must be a postgresql:// URL, not {parsed.scheme!r}.")
    query = parse_qs(parsed.query)
    name = unquote(parsed.path.lstrip("/"))
    if not name:
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. postgresql://user@host:5432/iam.")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": query.get("host", [parsed.hostname or ""])[0],
        "PORT": query.get("port", [str(parsed.port or "")])[0],
        "CONN_MAX_AGE": read("DATABASE_CONN_MAX_AGE"),
        "CONN_HEALTH_CHECKS": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {"NAME": read("DATABASE_TEST_NAME")},
    }


DATABASES = {"default": _database_from_url(embedded.ensure_postgres(BASE_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache --------------------------------------------------------------
REDIS_URL = embedded.ensure_redis(BASE_DIR)


def _celery_broker_url(url: str) -> str:
    # Celery (kombu) spells a Redis unix socket "redis+socket://", redis-py spells it "unix://".
    return "redis+socket://" + url[len("unix://"):] if url.startswith("unix://") else url


# A Redis outage must be cheap and short: one second to connect or to answer, then the caller moves on.
REDIS_SOCKET_TIMEOUT_SECONDS = 1
CACHES = {
    "default": {
        # An empty cache while Redis is down, never an error: see iam_console.cache.
        "BACKEND": "iam_console.cache.TolerantRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": read("IAM_CACHE_PREFIX"),
        "OPTIONS": {"socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                    "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS},
    }
}

CELERY_BROKER_URL = _celery_broker_url(REDIS_URL)
CELERY_RESULT_BACKEND = _celery_broker_url(REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
from iam_console.schedule import CELERY_BEAT_SCHEDULE  # noqa: E402,F401 - every scheduled job, in one place

# However many beats run (one per node), only the one holding the lock in Redis sends the jobs (iam_console.beat).
CELERY_BEAT_SCHEDULER = "iam_console.beat:SingleBeatScheduler"
IAM_BEAT_LOCK_SECONDS = read("IAM_BEAT_LOCK_SECONDS")

# --- Credential reports -------------------------------------------------------------------------------
# Reports are kept this long for comparison, then purged by the housekeeping job.
IAM_CREDENTIAL_REPORT_HISTORY_DAYS = read("IAM_CREDENTIAL_REPORT_HISTORY_DAYS")
# GetCredentialReport answers ReportExpired when the newest report is older than this.
IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS = read("IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS")
# A job nobody has picked up (or whose worker died) for this long is queued again by the next request.
IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS = read("IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS")
# A task whose worker died (acks_late) goes back to the queue after this long instead of Redis's default hour.
# Every task is idempotent, and the longest one (a report) is bounded by the job timeout, so twice that is safe.
# A job nobody has started this long after it was requested (its message may never have reached the broker) is
# queued again, by the next GenerateCredentialReport or by the periodic sweep. Jobs are idempotent.
IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS = read("IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS")
# Publishing a job while Redis is down fails in about a second instead of retrying for many: the caller is
# told, and the job, already recorded in the database, is queued again once Redis is back.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_TIMEOUT_SECONDS
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS,
                                   "socket_connect_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                                   "socket_timeout": 5 * REDIS_SOCKET_TIMEOUT_SECONDS}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = 5 * REDIS_SOCKET_TIMEOUT_SECONDS

# Parallel test workers (pytest-xdist) share one Redis: keep their cache keys and task queues apart.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if TESTING and _XDIST_WORKER:
    CACHES["default"]["KEY_PREFIX"] += f"-{_XDIST_WORKER}"
    CELERY_TASK_DEFAULT_QUEUE = f"celery-{_XDIST_WORKER}"

# --- Passwords: Argon2id ----------------------------------------------------------------------------
PASSWORD_HASHERS = ["iam_console.hashers.IAMArgon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS: list[dict] = []  # the account password policy is enforced by directory.passwords

# --- Security ---------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = read("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = False
# Sessions live in PostgreSQL alone: they survive a Redis outage, and no cache can hand back a session that was
# signed out while it was unreachable (a stale cached copy would outlive the sign-out).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "iam_console.console.views_auth.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if read("IAM_BEHIND_TLS_PROXY") else None
SECURE_SSL_REDIRECT = read("SECURE_SSL_REDIRECT")
# HSTS is on whenever cookies are secure (production): a browser that has seen the console over HTTPS never
# falls back to plain HTTP. SECURE_HSTS_SECONDS=0 turns it off.
SECURE_HSTS_SECONDS = read("SECURE_HSTS_SECONDS", 31536000 if SESSION_COOKIE_SECURE else 0)
# Behind reverse proxies: how many of them append to X-Forwarded-For. 0 (the default) ignores the header.
IAM_TRUSTED_PROXIES = read("IAM_TRUSTED_PROXIES")
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Largest request body accepted (JSON or form), in bytes: IAM's largest document is a few KiB.
DATA_UPLOAD_MAX_MEMORY_SIZE = read("IAM_MAX_REQUEST_BODY_BYTES")

# --- Static files: everything served by the project, no CDN ------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# static/ at the top of a checkout; an installed package carries it as iam_console/static (an app's own).
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sts.authentication.SigV4Authentication",
        "sts.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["iam_console.parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "iam_console.rest.base.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "iam_console.rest.schema.IAMAutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IAM Console REST API",
    "DESCRIPTION": "Users, groups, access keys, policies and the account password policy of a self-hosted "
    "IAM directory. Scripts sign requests with AWS Signature Version 4 (service `iam`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "PREPROCESSING_HOOKS": ["iam_console.rest.schema.drop_slash_twins"],
    # A last-accessed report's granularity is asked for and answered (as its job type) with one set of values.
    "ENUM_NAME_OVERRIDES": {"AccessAdvisorGranularityEnum": ["SERVICE_LEVEL", "ACTION_LEVEL"],
                            "AccessCheckPolicyTypeEnum": ["IDENTITY_POLICY", "RESOURCE_POLICY"]},
}

# --- Metrics (Prometheus, /metrics) and logs --------------------------------------------------------------
IAM_METRICS_TOKEN = read("IAM_METRICS_TOKEN")
if IAM_METRICS_TOKEN and len(IAM_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("IAM_METRICS_TOKEN must be at least 32 characters long.")


def _networks(names: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(name, strict=False) for name in names]
    except ValueError as error:
        raise ImproperlyConfigured(f"IAM_METRICS_ALLOWED_NETWORKS is not valid: {error} (expected addresses or "
                                   "networks such as 10.0.0.0/8,::1/128).") from None


IAM_METRICS_ALLOWED_NETWORKS = _networks(read("IAM_METRICS_ALLOWED_NETWORKS"))
# Every process of the installation keeps its metrics here; /metrics adds them up. Parallel test workers each
# keep their own, so one worker's scrape counts only its own requests.
IAM_METRICS_DIR = read("IAM_METRICS_DIR") or str(
    Path(os.environ.get("IAM_DATA_DIR") or BASE_DIR / ".data") / "metrics"
    / (f"test-{_XDIST_WORKER or 'main'}" if TESTING else ""))
IAM_LOG_FORMAT = read("IAM_LOG_FORMAT")
if IAM_LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"IAM_LOG_FORMAT={IAM_LOG_FORMAT!r} is not valid: expected plain or json.")

# Secrets never reach a log line (iam_console.logging_filters); each line carries its request's id.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "iam_console.logging_filters.RedactSecretsFilter"},
                "request_id": {"()": "iam_console.log_format.RequestIdFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
                   "json": {"()": "iam_console.log_format.JSONFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": IAM_LOG_FORMAT,
                             "filters": ["request_id", "redact"]}},
    "root": {"handlers": ["console"], "level": read("LOG_LEVEL")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
