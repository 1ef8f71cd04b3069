"""What principals used, aggregated (ActionUsage), the flushes already applied, and last-accessed report jobs."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone


class ActionUsage(models.Model):
    """Every decision for one principal on one action with one outcome, folded into a count and the last one.

    Rows name the account and the entity by id, not by foreign key: a decision recorded just before its user is
    deleted must still flush, and the entity's unique id (AIDA…, AROA…) outlives renames as in AWS.
    """

    class EntityType(models.TextChoices):
        USER = "user"
        ROLE = "role"

    account_id = models.CharField(max_length=12)
    entity_type = models.CharField(max_length=8, choices=EntityType.choices)
    entity_id = models.CharField(max_length=32)
    service = models.CharField(max_length=64)  # the action's prefix, lower case
    action = models.CharField(max_length=128)  # the action's name, as the decision named it
    allowed = models.BooleanField()
    count = models.BigIntegerField(default=0)
    last_at = models.DateTimeField()
    last_principal_arn = models.CharField(max_length=2048)  # for a role, the session that acted
    last_source = models.CharField(max_length=16)  # console, rest, query, sts or service

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["account_id", "entity_type", "entity_id", "service", "action", "allowed"],
            name="evidence_usage_one_row_per_key")]
        indexes = [models.Index(fields=["account_id", "entity_id", "service"], name="evidence_usage_entity")]


class AppliedBatch(models.Model):
    """A batch of recorded decisions already folded into ActionUsage: applying it again is a no-op, so a flush
    that dies between the database commit and the batch's removal from Redis never counts twice."""

    batch_id = models.CharField(max_length=64, unique=True)
    applied_at = models.DateTimeField(default=timezone.now)


class LastAccessedJob(models.Model):
    """GenerateServiceLastAccessedDetails' job: the report of one user, group, role or policy, made by a worker."""

    class Status(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS"
        COMPLETED = "COMPLETED"
        FAILED = "FAILED"

    class Granularity(models.TextChoices):
        SERVICE_LEVEL = "SERVICE_LEVEL"
        ACTION_LEVEL = "ACTION_LEVEL"

    job_id = models.UUIDField(default=uuid.uuid4, unique=True)
    account_id = models.CharField(max_length=12)
    requested_by = models.CharField(max_length=2048)  # only the principal that asked may read it, as in AWS
    arn = models.CharField(max_length=2048)
    granularity = models.CharField(max_length=16, choices=Granularity.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True)
    attempts = models.IntegerField(default=0)
    # {"services": [ServiceLastAccessed…], "entities": {namespace: [EntityDetails…]}}, dates as ISO-8601
    report = models.JSONField(default=dict)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=1024, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account_id", "status"], name="evidence_job_status")]
