"""Audit events: one row per service call and sign-in attempt, shaped like a CloudTrail record."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        SUCCESS = "Success"
        FAILURE = "Failure"

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event_time = models.DateTimeField(default=timezone.now, db_index=True)
    event_source = models.CharField(max_length=64, default="iam.amazonaws.com")
    event_name = models.CharField(max_length=128)
    # The account the event happened in (its caller's): each account reads its own trail. A plain column, not a
    # foreign key: the audit app imports no domain app. Empty for a sign-in that named no known account.
    account_id = models.CharField(max_length=12, blank=True, default="")
    # The actor: an ARN ("arn:aws:iam::123456789012:user/alice"), or "anonymous" for a failed sign-in.
    actor_arn = models.CharField(max_length=2048)
    actor_user_id = models.CharField(max_length=128, blank=True)
    access_key_id = models.CharField(max_length=128, blank=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=1024, blank=True)
    via = models.CharField(max_length=16, blank=True, help_text="console, api or system")
    request_id = models.CharField(max_length=64, blank=True)
    request_parameters = models.JSONField(default=dict, blank=True)
    response_elements = models.JSONField(default=dict, blank=True)
    resources = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.CharField(max_length=2048, blank=True)

    class Meta:
        ordering = ["-event_time", "-id"]
        indexes = [
            models.Index(fields=["account_id", "-event_time"], name="audit_account_time"),
            models.Index(fields=["actor_arn", "-event_time"], name="audit_actor_time"),
            models.Index(fields=["event_name", "-event_time"], name="audit_name_time"),
            models.Index(fields=["outcome", "-event_time"], name="audit_outcome_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_time:%Y-%m-%dT%H:%M:%SZ} {self.event_name} {self.actor_arn} {self.outcome}"
