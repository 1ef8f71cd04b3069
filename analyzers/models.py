"""Access Analyzer's analyzers (per account), their archive rules, and the findings they report."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_UNUSED_ACCESS_AGE = 90


def analyzer_arn(account_id: str, name: str) -> str:
    return (f"arn:{settings.IAM_PARTITION}:access-analyzer:{settings.IAM_DEFAULT_REGION}:{account_id}:"
            f"analyzer/{name}")


class Analyzer(models.Model):
    """One analyzer of an account: its type says what it reports (external or unused access) and over which zone
    of trust (the account, or the whole organization from its management account)."""

    class Type(models.TextChoices):
        ACCOUNT = "ACCOUNT"
        ORGANIZATION = "ORGANIZATION"
        ACCOUNT_UNUSED_ACCESS = "ACCOUNT_UNUSED_ACCESS"
        ORGANIZATION_UNUSED_ACCESS = "ORGANIZATION_UNUSED_ACCESS"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        CREATING = "CREATING"
        DISABLED = "DISABLED"
        FAILED = "FAILED"

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="analyzers")
    name = models.CharField(max_length=255)
    type = models.CharField(max_length=32, choices=Type.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)
    last_resource_analyzed = models.CharField(max_length=2048, blank=True)
    last_resource_analyzed_at = models.DateTimeField(null=True, blank=True)
    # Unused-access analyzers only: the tracking period in days (1-365) and the analysis rule's exclusions,
    # as AnalysisRuleCriteria: [{"accountIds": [...], "resourceTags": [{key: value, ...}, ...]}, ...].
    unused_access_age = models.PositiveSmallIntegerField(null=True, blank=True)
    exclusions = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=dict, blank=True)
    # The clientToken it was created with: CreateAnalyzer sent again with it (an SDK's retry) answers the same.
    client_token = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="analyzer_name_unique_per_account")]
        indexes = [models.Index(fields=["account", "type"], name="analyzer_account_type")]

    @property
    def arn(self) -> str:
        return analyzer_arn(self.account_id, self.name)

    @property
    def is_unused_access(self) -> bool:
        return self.type in (self.Type.ACCOUNT_UNUSED_ACCESS, self.Type.ORGANIZATION_UNUSED_ACCESS)

    @property
    def is_organization(self) -> bool:
        return self.type in (self.Type.ORGANIZATION, self.Type.ORGANIZATION_UNUSED_ACCESS)

    def audit_elements(self) -> dict:
        return {"arn": self.arn}


class ArchiveRule(models.Model):
    """A filter whose matching findings are archived: new ones as they appear, existing ones on ApplyArchiveRule."""

    analyzer = models.ForeignKey(Analyzer, on_delete=models.CASCADE, related_name="archive_rules")
    name = models.CharField(max_length=255)
    filter = models.JSONField()  # {key: Criterion}, validated by analyzers.filters
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    tags = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["analyzer", "name"], name="archive_rule_name_unique")]

    @property
    def arn(self) -> str:
        return f"{self.analyzer.arn}/archive-rule/{self.name}"

    def audit_elements(self) -> dict:
        return {"ruleName": self.name}


class Finding(models.Model):
    """What an analyzer found about one resource. The key (analyzer, resource, type, detail key) names it, so an
    evaluation run again, or a worker restarted halfway, updates the finding rather than adding another."""

    class Type(models.TextChoices):
        EXTERNAL_ACCESS = "ExternalAccess"
        UNUSED_IAM_ROLE = "UnusedIAMRole"
        UNUSED_IAM_USER_ACCESS_KEY = "UnusedIAMUserAccessKey"
        UNUSED_IAM_USER_PASSWORD = "UnusedIAMUserPassword"
        UNUSED_PERMISSION = "UnusedPermission"

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        ARCHIVED = "ARCHIVED"
        RESOLVED = "RESOLVED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    analyzer = models.ForeignKey(Analyzer, on_delete=models.CASCADE, related_name="findings")
    resource = models.CharField(max_length=2048)
    resource_type = models.CharField(max_length=64)  # AWS::IAM::Role, AWS::IAM::User…
    resource_owner_account = models.CharField(max_length=12)
    finding_type = models.CharField(max_length=32, choices=Type.choices)
    # What tells two findings of one type on one resource apart: the access key id, the service namespace, a
    # digest of an external principal's access; "" where one resource has at most one finding of the type.
    detail_key = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # A list of FindingDetails (one member each: unusedPermissionDetails, externalAccessDetails…), timestamps as
    # ISO-8601 text.
    details = models.JSONField(default=list)
    # External access: who gets what, under which condition (FindingSummary's members).
    principal = models.JSONField(default=dict, blank=True)
    action = models.JSONField(default=list, blank=True)
    condition = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    error = models.CharField(max_length=256, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    analyzed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["analyzer", "resource", "finding_type", "detail_key"],
                                               name="finding_one_per_key")]
        indexes = [
            models.Index(fields=["analyzer", "status", "finding_type"], name="finding_analyzer_status"),
            models.Index(fields=["analyzer", "created_at", "id"], name="finding_analyzer_created"),
        ]

    @property
    def is_external_access(self) -> bool:
        return self.finding_type == self.Type.EXTERNAL_ACCESS


class AccessPreview(models.Model):
    """CreateAccessPreview's answer: the external access findings an analyzer would report if proposed resource
    policies were in force, beside the findings it reports now. Worked out when the preview is created, from the
    same analysis as the analyzer's own findings."""

    class Status(models.TextChoices):
        COMPLETED = "COMPLETED"
        CREATING = "CREATING"
        FAILED = "FAILED"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    analyzer = models.ForeignKey(Analyzer, on_delete=models.CASCADE, related_name="access_previews")
    configurations = models.JSONField()  # {resource ARN: Configuration}, as the request gave them
    status = models.CharField(max_length=16, choices=Status.choices)
    status_reason = models.CharField(max_length=32, blank=True)  # INTERNAL_ERROR | INVALID_CONFIGURATION
    findings = models.JSONField(default=list)  # AccessPreviewFinding members, timestamps as ISO-8601 text
    client_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["analyzer", "created_at"], name="access_preview_analyzer")]
