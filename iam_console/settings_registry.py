"""Every setting the directory reads from the environment: its type, default, range and meaning, in one place.

settings.py reads each value through `read()`, and the documentation's configuration reference is generated from
`SETTINGS`, so a default or a range cannot differ between the code and the docs. A new environment variable is
declared here first (tests/test_settings_registry.py finds any read that is not).
"""

from __future__ import annotations

from dataclasses import dataclass

from iam_console import env

_NO_DEFAULT = env._MISSING


@dataclass(frozen=True)
class Setting:
    name: str  # the environment variable
    kind: str  # int, bool, str, optional_str, list, account_id
    section: str
    meaning: str
    default: object = _NO_DEFAULT
    minimum: int | None = None
    maximum: int | None = None
    # How the docs show a default that is computed (from another setting, or by the process that starts).
    default_text: str | None = None

    def shown_default(self) -> str:
        if self.default_text is not None:
            return self.default_text
        if self.default is _NO_DEFAULT or self.default is None:
            return "none"
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        if isinstance(self.default, list):
            return ",".join(self.default) if self.default else "empty"
        return str(self.default)

    def shown_range(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}–{self.maximum}"
        return {"bool": "true / false", "list": "comma-separated", "account_id": "12 digits"}.get(self.kind, "")


IDENTITY = "Identity of the directory"
KEYS = "Secrets and keys"
SERVICES = "Database and Redis"
WEB = "Web server, TLS and proxies"
SIGN_IN = "Console sign-in and sessions"
MFA = "MFA"
FEDERATION = "Federation"
REPORTS = "Credential reports"
OBSERVE = "Metrics and logs"
LOCAL = "Local console and tests"

SECTIONS = [IDENTITY, KEYS, SERVICES, WEB, SIGN_IN, MFA, FEDERATION, REPORTS, OBSERVE, LOCAL]


def _s(name: str, kind: str, section: str, meaning: str, default: object = _NO_DEFAULT, **extra: object) -> Setting:
    return Setting(name=name, kind=kind, section=section, meaning=meaning, default=default, **extra)  # type: ignore[arg-type]


SETTINGS: list[Setting] = [
    # --- identity
    _s("IAM_ACCOUNT_ID", "account_id", IDENTITY, "The management account's 12-digit id: read once, when a fresh "
       "database creates its first account (or a single-account directory upgrades to accounts); every request's "
       "account comes from its caller.", "123456789012"),
    _s("IAM_ACCOUNT_NAME", "str", IDENTITY, "That first account's name (1 to 50 characters).", "Management account"),
    _s("IAM_ACCOUNT_EMAIL", "optional_str", IDENTITY, "That first account's e-mail address (6 to 64 characters).",
       None, default_text="<account id>@accounts.invalid"),
    _s("IAM_PARTITION", "str", IDENTITY, "The ARN partition.", "aws"),
    _s("IAM_DEFAULT_REGION", "str", IDENTITY, "Region in SigV4 credential scopes and reports.", "us-east-1"),
    _s("IAM_ROOT_USER_NAME", "str", IDENTITY, "Name of the root user created on first start.", "root"),
    _s("IAM_ROOT_PASSWORD", "optional_str", IDENTITY, "Password for the root user at bootstrap or reset, instead "
       "of a generated one.", None, default_text="generated"),
    _s("IAM_MANAGED_POLICIES_PER_ENTITY", "int", IDENTITY, "Managed policies attachable to one user, group or role "
       "(AWS's default quota is 10, raisable to 20).", 10, minimum=1, maximum=20),
    # --- keys
    _s("SECRET_KEY", "optional_str", KEYS, "Django's signing key (sessions, CSRF, device cookies), at least 32 "
       "characters. The local console and the tests generate one into the data folder.", None,
       default_text="required in production"),
    _s("IAM_CREDENTIAL_KEY", "str", KEYS, "The key from which access key and session secrets are derived and under "
       "which MFA seeds are sealed. Back it up with the database: a restore without it leaves every key, session "
       "and MFA device unusable, and the directory refuses to start on a database created under another key.",
       default_text="SECRET_KEY"),
    _s("IAM_SIGV4_MAX_CLOCK_SKEW_SECONDS", "int", KEYS, "How far a signed request's X-Amz-Date may be from the "
       "server's clock.", 900, minimum=1, maximum=3600),
    _s("IAM_ACCESS_KEY_LAST_USED_INTERVAL_SECONDS", "int", KEYS, "An access key's \"last used\" is written at "
       "most once per interval.", 900, minimum=0, maximum=86400),
    # --- database and Redis
    _s("DATABASE_URL", "optional_str", SERVICES, "postgresql://user:password@host:5432/name (a socket: ?host=/path).",
       None, default_text="embedded PostgreSQL"),
    _s("DATABASE_CONN_MAX_AGE", "int", SERVICES, "Seconds a database connection is reused.", 60, minimum=0,
       maximum=3600),
    _s("DATABASE_TEST_NAME", "optional_str", SERVICES, "Name of the database the test suite creates.", None,
       default_text="test_<name>"),
    _s("REDIS_URL", "optional_str", SERVICES, "redis://host:6379/0 or unix:///path/redis.sock: Celery broker, "
       "results and cache.", None, default_text="embedded Redis"),
    _s("IAM_CACHE_PREFIX", "str", SERVICES, "Prefix of the cache keys in Redis.", "iam"),
    _s("IAM_BEAT_LOCK_SECONDS", "int", SERVICES, "However many Celery beats run, one schedules the jobs: the one "
       "holding a lock in Redis, renewed every third of this; another takes over this long after it dies.", 30,
       minimum=3, maximum=600),
    # --- web
    _s("ALLOWED_HOSTS", "list", WEB, "Host names the server answers to.",
       ["localhost", "127.0.0.1", "[::1]", "testserver"]),
    _s("CSRF_TRUSTED_ORIGINS", "list", WEB, "Origins trusted for console forms behind a proxy, e.g. "
       "https://iam.example.com.", []),
    _s("DEBUG", "bool", WEB, "Django's debug mode. Never in production.", False),
    _s("SESSION_COOKIE_SECURE", "bool", WEB, "Send session and CSRF cookies over HTTPS only.",
       default_text="true (false when DEBUG)"),
    _s("IAM_BEHIND_TLS_PROXY", "bool", WEB, "Trust X-Forwarded-Proto: https from the proxy in front.", False),
    _s("SECURE_SSL_REDIRECT", "bool", WEB, "Redirect plain HTTP to HTTPS.", False),
    _s("SECURE_HSTS_SECONDS", "int", WEB, "Strict-Transport-Security max-age; 0 turns HSTS off.", minimum=0,
       maximum=63072000, default_text="31536000 when cookies are secure, else 0"),
    _s("IAM_TRUSTED_PROXIES", "int", WEB, "Reverse proxies in front that append to X-Forwarded-For; the client "
       "address (for aws:SourceIp, audit, sign-in throttling and the metrics allow-list) is read that many hops "
       "from the right. 0 ignores the header.", 0, minimum=0, maximum=10),
    _s("IAM_MAX_REQUEST_BODY_BYTES", "int", WEB, "Largest request body accepted; larger ones get 413 "
       "ValidationError.", 1024 * 1024, minimum=64 * 1024, maximum=64 * 1024 * 1024),
    _s("GUNICORN_BIND", "str", WEB, "Address and port gunicorn listens on.", "127.0.0.1:8000"),
    _s("GUNICORN_WORKERS", "int", WEB, "gunicorn worker processes.", 2, minimum=1, maximum=64),
    _s("GUNICORN_THREADS", "int", WEB, "Threads per gunicorn worker.", 1, minimum=1, maximum=64),
    _s("GUNICORN_TIMEOUT", "int", WEB, "Seconds a request may take before its worker is restarted.", 60, minimum=1,
       maximum=3600),
    _s("GUNICORN_ACCESS_LOG", "optional_str", WEB, "Where gunicorn writes its access log (- for standard output).",
       None, default_text="off"),
    _s("FORWARDED_ALLOW_IPS", "str", WEB, "Addresses gunicorn trusts for X-Forwarded-* headers.", "127.0.0.1,::1"),
    # --- sign-in
    _s("IAM_LOCKOUT_THRESHOLD", "int", SIGN_IN, "Failed password guesses (sign-ins, MFA codes, ChangePassword's "
       "current password) that lock an IAM user, and wrong codes in a row that lock an MFA device.", 5, minimum=1, maximum=100),
    _s("IAM_LOCKOUT_WINDOW_SECONDS", "int", SIGN_IN, "Window in which those failures are counted.", 900, minimum=1,
       maximum=86400),
    _s("IAM_LOCKOUT_DURATION_SECONDS", "int", SIGN_IN, "How long a locked user stays locked (and an MFA device, the "
       "first time).", 900, minimum=1,
       maximum=86400),
    _s("IAM_SIGN_IN_CLIENT_FREE_FAILURES", "int", SIGN_IN, "Failed guesses one client (IP address) may make before "
       "it must back off.", 10, minimum=1, maximum=1000),
    _s("IAM_SIGN_IN_CLIENT_BACKOFF_BASE_SECONDS", "int", SIGN_IN, "The client's first wait; it doubles with each "
       "further failure.", 1, minimum=1, maximum=60),
    _s("IAM_SIGN_IN_CLIENT_BACKOFF_MAX_SECONDS", "int", SIGN_IN, "Longest wait a client is given.", 900, minimum=1,
       maximum=86400),
    _s("IAM_SIGN_IN_CLIENT_WINDOW_SECONDS", "int", SIGN_IN, "A client's failures are forgotten this long after its "
       "last one.", 3600, minimum=60, maximum=86400),
    _s("IAM_SIGN_IN_DEVICE_DAYS", "int", SIGN_IN, "How long a browser that signed in stays exempt from its user's "
       "lockout.", 30, minimum=1, maximum=400),
    _s("IAM_SESSION_ABSOLUTE_TIMEOUT_SECONDS", "int", SIGN_IN, "Longest a console session lives.", 12 * 3600,
       minimum=60, maximum=7 * 86400),
    _s("IAM_SESSION_IDLE_TIMEOUT_SECONDS", "int", SIGN_IN, "Console session idle timeout.", 3600, minimum=60,
       maximum=86400),
    # --- MFA
    _s("IAM_MFA_TOLERANCE_STEPS", "int", MFA, "TOTP time steps (30 s) accepted either side of the server's clock.",
       1, minimum=0, maximum=10),
    _s("IAM_MFA_LOCKOUT_MAX_SECONDS", "int", MFA, "An MFA device given IAM_LOCKOUT_THRESHOLD wrong codes in a row "
       "is locked for IAM_LOCKOUT_DURATION_SECONDS on every door; each further wrong code doubles the lock, up to "
       "this.", 86400, minimum=60, maximum=7 * 86400),
    _s("IAM_MFA_ISSUER", "str", MFA, "The issuer authenticator apps show for an enrolled device.", "IAM"),
    _s("IAM_MFA_SIGN_IN_SECONDS", "int", MFA, "Time allowed between the password step and the MFA code step of a "
       "sign-in.", 300, minimum=30, maximum=3600),
    # --- federation
    _s("IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS", "bool", FEDERATION, "Let identity-provider URLs (OIDC issuers, their "
       "JWKS) resolve to private, loopback or reserved addresses: for internal IdPs only.", False),
    _s("IAM_FEDERATION_CA_BUNDLE", "optional_str", FEDERATION, "A PEM file of extra certificate authorities trusted "
       "for identity providers' HTTPS (an internal CA).", None),
    _s("IAM_FEDERATION_HTTP_TIMEOUT_SECONDS", "int", FEDERATION, "Time allowed for fetching a discovery document, "
       "JWKS or token response, all of it.", 5, minimum=1, maximum=60),
    _s("IAM_FEDERATION_MAX_CONCURRENT_FETCHES", "int", FEDERATION, "Requests fetching from, or waiting on, identity "
       "providers at once across the web tier; more are refused at once with IDPCommunicationError.", 1, minimum=1,
       maximum=64),
    _s("IAM_FEDERATION_FAILURE_CACHE_SECONDS", "int", FEDERATION, "A failed fetch is remembered this long: the same "
       "error is answered without asking the provider again.", 30, minimum=0, maximum=600),
    _s("IAM_FEDERATION_JWKS_CACHE_SECONDS", "int", FEDERATION, "How long an issuer's signing keys are cached.", 3600,
       minimum=60, maximum=86400),
    _s("IAM_FEDERATION_JWKS_REFRESH_SECONDS", "int", FEDERATION, "A token with an unknown key id refetches the keys "
       "at most once per interval (key rotation).", 60, minimum=0, maximum=3600),
    _s("IAM_FEDERATION_CLOCK_SKEW_SECONDS", "int", FEDERATION, "Clock skew tolerated on exp/nbf/iat and on SAML's "
       "NotBefore/NotOnOrAfter.", 60, minimum=0, maximum=600),
    _s("IAM_SAML_AUDIENCES", "list", FEDERATION, "Audiences a SAML assertion may name for AssumeRoleWithSAML (AWS's "
       "own, so an IdP's ready-made AWS application works).",
       ["https://signin.aws.amazon.com/saml", "urn:amazon:webservices"]),
    _s("IAM_SAML_RECIPIENTS", "list", FEDERATION, "Bearer Recipient / Destination URLs accepted for "
       "AssumeRoleWithSAML; console sign-in adds its own ACS URL.", ["https://signin.aws.amazon.com/saml"]),
    # --- credential reports
    _s("IAM_CREDENTIAL_REPORT_HISTORY_DAYS", "int", REPORTS, "Days old credential reports are kept.", 30, minimum=1,
       maximum=3650),
    _s("IAM_CREDENTIAL_REPORT_MAX_AGE_SECONDS", "int", REPORTS, "Age after which GetCredentialReport answers "
       "ReportExpired and a report is generated anew.", 8 * 3600, minimum=60, maximum=30 * 86400),
    _s("IAM_CREDENTIAL_REPORT_JOB_TIMEOUT_SECONDS", "int", REPORTS, "Time a credential report job may take.", 600,
       minimum=10, maximum=86400),
    _s("IAM_CREDENTIAL_REPORT_REQUEUE_SECONDS", "int", REPORTS, "A requested report no worker has started after "
       "this long (its job could not be queued, e.g. Redis was down) is queued again.", 60, minimum=1,
       maximum=86400),
    # --- metrics and logs
    _s("IAM_METRICS_TOKEN", "optional_str", OBSERVE, "Bearer token a scraper sends to /metrics "
       "(Authorization: Bearer …), at least 32 characters. With neither this nor IAM_METRICS_ALLOWED_NETWORKS set, "
       "/metrics is closed to everyone (403).", None),
    _s("IAM_METRICS_ALLOWED_NETWORKS", "list", OBSERVE, "Networks (CIDR, e.g. 10.0.0.0/8,::1/128) whose clients may "
       "read /metrics. With a token too, a scraper needs both.", []),
    _s("IAM_METRICS_DIR", "optional_str", OBSERVE, "Folder where every process of one installation (gunicorn's "
       "workers, the Celery worker) keeps its metrics for /metrics to add up; emptied when gunicorn starts.", None,
       default_text="<data folder>/metrics"),
    _s("IAM_LOG_FORMAT", "str", OBSERVE, "plain, or json: one JSON object per line with the request id.", "plain"),
    _s("LOG_LEVEL", "str", OBSERVE, "Root log level. Secrets are redacted from every log line.", "INFO"),
    # --- local
    _s("IAM_EMBEDDED", "bool", LOCAL, "Allows a generated SECRET_KEY (a local console). Set by runconsole.", False),
    _s("IAM_DATA_DIR", "optional_str", LOCAL, "Where the embedded PostgreSQL and Redis, the generated secret key, "
       "the beat schedule, logs and metrics live.", None, default_text=".data/"),
    _s("IAM_HOST", "str", LOCAL, "Address runconsole listens on (--host).", "127.0.0.1"),
    _s("IAM_PORT", "int", LOCAL, "Port runconsole listens on (--port).", 8000),
    _s("IAM_TESTING", "bool", LOCAL, "Test mode: cheaper password hashing, no SECRET_KEY needed. Set under pytest.",
       default_text="true under pytest"),
]

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
if len(BY_NAME) != len(SETTINGS):
    raise RuntimeError("a setting is declared twice in iam_console/settings_registry.py")

_READERS = {
    "int": lambda s, default: env.env_int(s.name, default, minimum=s.minimum, maximum=s.maximum),
    "bool": lambda s, default: env.env_bool(s.name, default),
    "str": lambda s, default: env.env_str(s.name, default),
    "list": lambda s, default: env.env_list(s.name, default),
    "account_id": lambda s, default: env.env_account_id(s.name, default),
    "optional_str": lambda s, default: env.env_optional_str(s.name),
}


def read(name: str, default: object = _NO_DEFAULT) -> object:
    """The value of a declared setting from the environment; `default` overrides a computed one."""
    try:
        setting = BY_NAME[name]
    except KeyError:
        raise RuntimeError(f"{name} is not declared in iam_console/settings_registry.py") from None
    chosen = setting.default if default is _NO_DEFAULT else default
    if isinstance(chosen, list):
        chosen = list(chosen)
    return _READERS[setting.kind](setting, chosen)
