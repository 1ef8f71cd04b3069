"""The accounts of the directory: each a 12-digit id that every entity, ARN and audit event carries."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

ACCOUNT_NAME_MAX = 50
ACCOUNT_EMAIL_MAX = 64
ACCOUNT_ALIAS_MAX = 63


class Account(models.Model):
    """One account. Its id is the primary key, so every `account_id` column holds the 12-digit id itself and an
    entity's ARN needs no join. Exactly one account is the organization's management account."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE"
        SUSPENDED = "SUSPENDED"
        PENDING_CLOSURE = "PENDING_CLOSURE"
        CLOSED = "CLOSED"

    class JoinedMethod(models.TextChoices):
        CREATED = "CREATED"
        INVITED = "INVITED"

    id = models.CharField(max_length=12, primary_key=True)
    name = models.CharField(max_length=ACCOUNT_NAME_MAX)
    email = models.CharField(max_length=ACCOUNT_EMAIL_MAX)
    # E-mail addresses are unique case-insensitively, as Organizations' DuplicateAccountException compares them.
    email_key = models.GeneratedField(expression=Lower("email"), output_field=models.CharField(max_length=64),
                                      db_persist=True, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # The account alias (CreateAccountAlias): a friendly name for its sign-in page, unique in the directory.
    alias = models.CharField(max_length=ACCOUNT_ALIAS_MAX, null=True, blank=True, unique=True)
    joined_method = models.CharField(max_length=8, choices=JoinedMethod.choices, default=JoinedMethod.CREATED)
    joined_timestamp = models.DateTimeField(default=timezone.now)
    create_date = models.DateTimeField(default=timezone.now)
    is_management = models.BooleanField(default=False, help_text="The organization's management account.")
    # Membership of the organization (None: a standalone account) and the OU it sits in (None: the root).
    organization = models.ForeignKey("Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="accounts")
    parent_unit = models.ForeignKey("OrganizationalUnit", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="accounts")

    class Meta:
        ordering = ["create_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["is_management"], condition=models.Q(is_management=True),
                                    name="account_one_management"),
            models.CheckConstraint(condition=models.Q(id__regex=r"^[0-9]{12}$"), name="account_id_12_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def sign_in_name(self) -> str:
        """What the account is called on its sign-in page and in the console header: its alias, else its id."""
        return self.alias or self.id


class Organization(models.Model):
    """The directory's one organization (AWS Organizations with all features), made by the management account."""

    id = models.CharField(max_length=34, primary_key=True)  # o- and 10 lower-case letters or digits
    management_account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="+")
    root_id = models.CharField(max_length=34, unique=True)  # r- and 4: the organization's one root
    # The policy types enabled on the root ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY").
    enabled_policy_types = models.JSONField(default=list)
    create_date = models.DateTimeField(default=timezone.now)
    singleton = models.BooleanField(default=True, unique=True, editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(singleton=True), name="organization_one_only")]

    def __str__(self) -> str:
        return self.id


class ServiceAccess(models.Model):
    """A service principal the organization trusts (EnableAWSServiceAccess), and since when."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="service_access")
    service_principal = models.CharField(max_length=128)
    date_enabled = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_principal"]
        constraints = [models.UniqueConstraint(fields=["organization", "service_principal"],
                                               name="service_access_enabled_once")]

    def __str__(self) -> str:
        return self.service_principal


class DelegatedAdministrator(models.Model):
    """A member account registered to administer an AWS service's part of the organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="delegated_administrators")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    service_principal = models.CharField(max_length=128, db_index=True)
    delegation_enabled_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["account", "service_principal"],
                                               name="delegated_administrator_registered_once")]

    def __str__(self) -> str:
        return f"{self.account_id} for {self.service_principal}"


class OrganizationResourcePolicy(models.Model):
    """The organization's resource policy (PutResourcePolicy): which principals may read it or manage its policies."""

    id = models.CharField(max_length=131, primary_key=True)  # rp- and 8
    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="resource_policy")
    content = models.TextField()

    def __str__(self) -> str:
        return self.id


class OrganizationalUnit(models.Model):
    """An OU: under the root (parent None) or another OU, at most five levels deep."""

    id = models.CharField(max_length=68, primary_key=True)  # ou-<root's 4>-<8>
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=128)
    depth = models.PositiveSmallIntegerField()  # 1 directly under the root
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["create_date", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "parent", "name"], nulls_distinct=False,
                                               name="ou_name_unique_under_parent")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class OrganizationPolicy(models.Model):
    """An SCP or RCP. AWS's own (FullAWSAccess, RCPFullAWSAccess) belong to no organization."""

    id = models.CharField(max_length=130, primary_key=True)  # p- and 8, or p-FullAWSAccess
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE,
                                     related_name="policies")
    policy_type = models.CharField(max_length=32)
    name = models.CharField(max_length=128)
    description = models.CharField(max_length=512, blank=True, default="")
    content = models.TextField()
    aws_managed = models.BooleanField(default=False)
    # Counts the changes of its content: a compiled guardrail is cached by (id, version).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "policy_type", "name"], nulls_distinct=False,
                                               name="organization_policy_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"


class PolicyAttachment(models.Model):
    """A policy attached to a target: the root (r-…), an OU (ou-…) or an account (its 12-digit id)."""

    policy = models.ForeignKey(OrganizationPolicy, on_delete=models.PROTECT, related_name="attachments")
    target_id = models.CharField(max_length=100, db_index=True)
    policy_type = models.CharField(max_length=32)  # the policy's, kept here for the per-type rules of a target

    class Meta:
        constraints = [models.UniqueConstraint(fields=["policy", "target_id"], name="policy_attached_once")]


class OrganizationTag(models.Model):
    """A tag on an account, OU, root or policy (Organizations' TagResource)."""

    resource_id = models.CharField(max_length=130)
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=256)

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["resource_id", "key"], name="organization_tag_key_unique")]


class CreateAccountRequest(models.Model):
    """One CreateAccount request and its outcome (DescribeCreateAccountStatus)."""

    class State(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS"
        SUCCEEDED = "SUCCEEDED"
        FAILED = "FAILED"

    id = models.CharField(max_length=36, primary_key=True)  # car- and 32
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="create_requests")
    account_name = models.CharField(max_length=50)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    requested = models.DateTimeField(default=timezone.now)
    completed = models.DateTimeField(null=True, blank=True)
    account_id = models.CharField(max_length=12, blank=True, default="")
    failure_reason = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["requested", "id"]
