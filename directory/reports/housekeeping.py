"""Scheduled housekeeping: purge reports past their history, flag access keys unused for 90 days. The jobs run
over every account at once; each account's events land in its own audit trail."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import record_event
from directory.models import AccessKey, CredentialReport, UnusedAccessKeyFlag
from directory.reports.services import history_start
from policies.authorization import Caller

UNUSED_KEY_DAYS = 90
# Newly flagged keys are audited in events of at most this many keys each.
FLAG_EVENT_BATCH = 1000


@transaction.atomic
def purge_expired_reports() -> int:
    """Delete finished reports older than the history (their chunks go with them). Returns how many."""
    expired = CredentialReport.objects.filter(state=CredentialReport.State.COMPLETE, generated_at__lt=history_start())
    by_account: dict[str, list[int]] = defaultdict(list)
    for pk, account_id in expired.order_by("pk").values_list("pk", "account_id"):
        by_account[account_id].append(pk)
    if not by_account:
        return 0
    CredentialReport.objects.filter(pk__in=[pk for ids in by_account.values() for pk in ids]).delete()
    for account_id, ids in sorted(by_account.items()):
        record_event(caller=Caller.system(account_id), event_name="PurgeCredentialReports",
                     request_parameters={"older_than": history_start().isoformat()},
                     response_elements={"report_ids": ids})
    return sum(len(ids) for ids in by_account.values())


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
        by_account: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in batch:
            by_account[key.user.account_id].append((key.access_key_id, key.user.arn))
        for account_id, keys in sorted(by_account.items()):
            record_event(caller=Caller.system(account_id), event_name="FlagUnusedAccessKeys",
                         request_parameters={"unused_days": UNUSED_KEY_DAYS},
                         response_elements={"access_key_ids": [key_id for key_id, _ in keys]},
                         resources=sorted({arn for _, arn in keys}))
    return len(flagged)


def unused_access_key_count(account_id: str) -> int:
    return UnusedAccessKeyFlag.objects.filter(access_key__user__account_id=account_id).count()
