"""Detect a directory running under another credential key than its database's, and refuse to start loudly.

Access key and session secrets are derived from IAM_CREDENTIAL_KEY and MFA seeds are sealed under it, so a
database restored without its key (or started with a new one) would reject every signature and code, one
request at a time, with nothing saying why. A keyed check value recorded with the database turns that into a
start-up error naming the problem: a system check (`manage.py migrate`, `manage.py check --database default`),
the web server's and the Celery worker's start-up.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

_LABEL = b"iam-credential-key-check\x00v1"
MISMATCH = ("IAM_CREDENTIAL_KEY (or SECRET_KEY, where IAM_CREDENTIAL_KEY is unset) is not the key this database "
            "was created with: every access key, role session and MFA device would be refused. Start with the "
            "key kept with this backup (docs/operating/backup-restore.md).")

# Apps that hold data sealed or derived under the key register a probe: key -> True (it opens their data),
# False (it does not), None (nothing to try). Used before a check value is first recorded on existing data.
_probes: list[Callable[[str], bool | None]] = []


def register_probe(probe: Callable[[str], bool | None]) -> None:
    _probes.append(probe)


def check_value(key: str) -> str:
    return hmac.new(key.encode(), _LABEL, hashlib.sha256).hexdigest()


def _recorded() -> str | None:
    from iam_console.models import CredentialKeyCheck

    row = CredentialKeyCheck.objects.filter(pk=1).values_list("check_value", flat=True).first()
    return row


def problem() -> str | None:
    """Why the configured key cannot serve this database, or None. A database with no check value yet is
    judged by the probes (data sealed under a key); with nothing to judge by, it is accepted."""
    recorded = _recorded()
    key = settings.IAM_CREDENTIAL_KEY
    if recorded is not None:
        return None if hmac.compare_digest(recorded, check_value(key)) else MISMATCH
    if any(probe(key) is False for probe in _probes):
        return MISMATCH
    return None


def record_if_missing() -> None:
    """Record the check value of the configured key, once: at the first migrate, or the first after an upgrade
    from a release that had none (when the data there opens under the key)."""
    from iam_console.models import CredentialKeyCheck

    if _recorded() is not None:
        return
    found = problem()
    if found:
        raise ImproperlyConfigured(found)
    CredentialKeyCheck.objects.get_or_create(pk=1, defaults={"check_value": check_value(settings.IAM_CREDENTIAL_KEY)})


def refuse_to_start_on_mismatch() -> None:
    """At a server's start: raise when the key is wrong. A database that cannot be reached is not judged here
    (an outage answers 503 until it is back; migrate and the system check judge it then)."""
    try:
        found = problem()
    except DatabaseError as error:
        logger.warning("the credential key could not be checked at start-up: the database is unreachable (%s)",
                       type(error).__name__)
        connection.close()
        return
    if found:
        raise ImproperlyConfigured(found)
