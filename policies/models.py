"""Managed policies and their versions. (Who holds them: directory.models, which owns users, groups, roles.)"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from iam_console import identifiers

SYSTEM_POLICY_ACCOUNT = "aws"  # system policies carry AWS-managed ARNs: arn:aws:iam::aws:policy/Name


class ManagedPolicy(models.Model):
    """A managed policy: customer-managed (editable, up to 5 versions, of one account) or shipped by the product
    (read-only, AWS-managed: no account, every account shares it)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="managed_policies")
    policy_name = models.CharField(max_length=128)
    policy_name_key = models.GeneratedField(expression=Lower("policy_name"),
                                            output_field=models.CharField(max_length=128), db_persist=True)
    path = models.CharField(max_length=512, default="/")
    policy_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    is_system = models.BooleanField(default=False)
    create_date = models.DateTimeField(default=timezone.now)
    update_date = models.DateTimeField(default=timezone.now)
    default_version_id = models.CharField(max_length=8, default="v1")
    # Versions are numbered v1, v2, … and never reused; this is the last number handed out.
    last_version_number = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "policy_name_key"], condition=models.Q(is_system=False),
                                    name="policy_name_unique_per_account"),
            models.UniqueConstraint(fields=["policy_name_key"], condition=models.Q(is_system=True),
                                    name="system_policy_name_unique"),
            # A customer managed policy belongs to one account; an AWS-managed one to none.
            models.CheckConstraint(condition=models.Q(is_system=True, account__isnull=True)
                                   | models.Q(is_system=False, account__isnull=False),
                                   name="policy_account_unless_system"),
        ]
        indexes = [models.Index(fields=["account", "path", "policy_name_key"], name="policy_account_path_name")]

    def __str__(self) -> str:
        return self.policy_name

    @property
    def arn(self) -> str:
        return identifiers.policy_arn(self.account_id or SYSTEM_POLICY_ACCOUNT, self.path, self.policy_name)


class PolicyVersion(models.Model):
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="versions")
    version_id = models.CharField(max_length=8)
    document = models.TextField()
    is_default_version = models.BooleanField(default=False)
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["policy_id", "-create_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "version_id"], name="policy_version_unique"),
            models.UniqueConstraint(fields=["policy"], condition=models.Q(is_default_version=True),
                                    name="policy_one_default_version"),
        ]


class PolicyTag(models.Model):
    """A tag on a customer managed policy (TagPolicy); keys compare case-insensitively, 50 at most."""

    policy = models.ForeignKey(ManagedPolicy, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["policy", "key_lower"], name="policy_tag_key_unique")]


class ServiceDefinition(models.Model):
    """A service registered in the directory's catalogue: its actions, resource types and condition keys, as
    AWS's Service Authorization Reference describes a service. Policies, the editor, summaries and the simulator
    then know its actions as they know iam's; the service asks the directory for decisions about its callers."""

    # The account that registered the service; prefixes stay unique across the directory (actions are global).
    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="service_definitions")
    service_prefix = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=1000, blank=True)
    # {"actions": [{"name", "access_level", "resource_types", "description"}], "resource_types": [{"name",
    # "arn_format"}], "condition_keys": [{"name", "type", "description"}]}
    definition = models.JSONField(default=dict)
    create_date = models.DateTimeField(default=timezone.now)
    update_date = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.service_prefix

    @property
    def arn(self) -> str:
        return identifiers.iam_arn(self.account_id, f"service/{self.service_prefix}")


class PolicyGeneration(models.Model):
    """One row whose token every change to a policy set replaces (policies.generation): the version that the
    per-process cache of compiled policy sets is checked against."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.UUIDField()


class PolicyCeiling(models.Model):
    """An account's ceiling for a path: every policy written there (a managed policy under the path, or an inline
    policy of a user, group or role under it) may grant nothing the reference managed policy does not."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="policy_ceilings")
    path_prefix = models.CharField(max_length=512)
    # A policy serving as a ceiling cannot be deleted (DeletePolicy answers DeleteConflict) until the ceiling is.
    policy = models.ForeignKey(ManagedPolicy, on_delete=models.PROTECT, related_name="ceilings")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "path_prefix"], name="policy_ceiling_per_path")]
        ordering = ["path_prefix"]
