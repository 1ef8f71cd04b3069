"""Scheduled housekeeping: purge reports past their history, flag access keys unused for 90 days."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import record_event
from directory.models import AccessKey, CredentialReport, UnusedAccessKeyFlag
from directory.reports.services import history_start
from iam_console import identifiers
from policies.authorization import Caller

UNUSED_KEY_DAYS = 90
# Newly flagged keys are audited in events of at most this many keys each.
FLAG_EVENT_BATCH = 1000


@transaction.atomic
def purge_expired_reports() -> int:
    """Delete finished reports older than the history (their chunks go with them). Returns how many."""
    expired = CredentialReport.objects.filter(state=CredentialReport.State.COMPLETE, generated_at__lt=history_start())
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    CredentialReport.objects.filter(pk__in=ids).delete()
    record_event(caller=Caller.system(), event_name="PurgeCredentialReports",
                 request_parameters={"older_than": history_start().isoformat()},
                 response_elements={"report_ids": ids})
    return len(ids)


@transaction.atomic
def flag_unused_access_keys() -> int:
    """Flag active keys with no use (or, never used, no creation) for 90 days; each key is audited once.

    A flag is lifted when its key is used again or deactivated, so a key that falls idle again is flagged
    (and audited) again. Returns how many keys were newly flagged.
    """
    cutoff = timezone.now() - timedelta(days=UNUSED_KEY_DAYS)
    UnusedAccessKeyFlag.objects.filter(
        Q(access_key__status=AccessKey.Status.INACTIVE) | Q(access_key__last_used_date__gt=F("last_activity"))
    ).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO directory_unusedaccesskeyflag (access_key_id, flagged_at, last_activity)
            SELECT k.id, now(), COALESCE(k.last_used_date, k.create_date)
            FROM directory_accesskey AS k
            WHERE k.status = 'Active' AND COALESCE(k.last_used_date, k.create_date) < %s
            ON CONFLICT (access_key_id) DO NOTHING
            RETURNING access_key_id
            """,
            [cutoff],
        )
        flagged = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(flagged), FLAG_EVENT_BATCH):
        batch = AccessKey.objects.filter(pk__in=flagged[start:start + FLAG_EVENT_BATCH]).select_related("user") \
            .order_by("pk")
        keys = [(key.access_key_id, identifiers.user_arn(key.user.path, key.user.user_name)
                 if not key.user.is_superuser else identifiers.root_arn()) for key in batch]
        record_event(caller=Caller.system(), event_name="FlagUnusedAccessKeys",
                     request_parameters={"unused_days": UNUSED_KEY_DAYS},
                     response_elements={"access_key_ids": [key_id for key_id, _ in keys]},
                     resources=sorted({arn for _, arn in keys}))
    return len(flagged)


def unused_access_key_count() -> int:
    return UnusedAccessKeyFlag.objects.count()
