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
