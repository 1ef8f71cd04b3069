"""The identity store: workforce users and groups of the management account, apart from IAM users (AWS's
identitystore/2020-06-15), and the SCIM bearer tokens an identity provider provisions them with."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account

USER_NAME_MAX = 128
DISPLAY_NAME_MAX = 1024
SCIM_ISSUER = "SCIM"  # the ExternalIds issuer that SCIM's externalId is kept under


def scim_external_id(external_ids: list[dict]) -> str | None:
    return next((item.get("Id") for item in external_ids or [] if item.get("Issuer") == SCIM_ISSUER), None)


class IdentityStore(models.Model):
    """The one identity store of the organization: it belongs to the management account."""

    id = models.CharField(max_length=12, primary_key=True)  # "d-" + 10 lowercase hex digits, as AWS forms it
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="identity_store")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id__regex=r"^d-[0-9a-f]{10}$"),
                                              name="identity_store_id_form")]

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore::{self.account_id}:identitystore/{self.id}"


class WorkforceUser(models.Model):
    """A person of the identity store. The attributes AWS keeps beside the name (Name, Emails, Addresses,
    PhoneNumbers, Photos, Roles, NickName, Title… and the enterprise extension) live in `profile` under AWS's own
    member names; what is searched or unique has a column of its own."""

    store = models.ForeignKey(IdentityStore, on_delete=models.CASCADE, related_name="users")
    user_id = models.CharField(max_length=47, unique=True)
    user_name = models.CharField(max_length=USER_NAME_MAX)
    # UserName is unique case-insensitively in a store, as AWS compares it.
    user_name_key = models.GeneratedField(expression=Lower("user_name"), db_persist=True,
                                          output_field=models.CharField(max_length=USER_NAME_MAX))
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX, blank=True, default="")
    active = models.BooleanField(default=True)
    external_ids = models.JSONField(default=list, blank=True)
    # The ExternalIds entry a SCIM client set (its `externalId`), kept beside them: IdPs look people up by it
    # before every change, and a btree finds it where a JSON containment search over every issuer cannot.
    scim_external_id = models.CharField(max_length=256, null=True, blank=True)  # noqa: DJ001 - NULL: none set
    profile = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=2048, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        ordering = ["user_name_key"]
        constraints = [models.UniqueConstraint(fields=["store", "user_name_key"], name="workforce_user_name_unique")]
        indexes = [
            models.Index(fields=["store", "scim_external_id"], name="workforce_user_scim_external"),
            # GetUserId by ExternalId is a JSON containment query.
            GinIndex(fields=["external_ids"], name="workforce_user_external_ids", opclasses=["jsonb_path_ops"]),
            GinIndex(fields=["profile"], name="workforce_user_profile", opclasses=["jsonb_path_ops"]),
        ]

    def save(self, *args, **kwargs) -> None:
        self.scim_external_id = scim_external_id(self.external_ids)
        super().save(*args, **kwargs)

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore:::user/{self.user_id}"


class WorkforceGroup(models.Model):
    store = models.ForeignKey(IdentityStore, on_delete=models.CASCADE, related_name="groups")
    group_id = models.CharField(max_length=47, unique=True)
    display_name = models.CharField(max_length=DISPLAY_NAME_MAX)
    display_name_key = models.GeneratedField(expression=Lower("display_name"), db_persist=True,
                                             output_field=models.CharField(max_length=DISPLAY_NAME_MAX))
    description = models.CharField(max_length=1024, blank=True, default="")
    external_ids = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=2048, blank=True, default="")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        ordering = ["display_name_key"]
        constraints = [models.UniqueConstraint(fields=["store", "display_name_key"],
                                               name="workforce_group_name_unique")]
        indexes = [GinIndex(fields=["external_ids"], name="workforce_group_external_ids",
                            opclasses=["jsonb_path_ops"])]

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore:::group/{self.group_id}"


class WorkforceMembership(models.Model):
    store = models.ForeignKey(IdentityStore, on_delete=models.CASCADE, related_name="memberships")
    membership_id = models.CharField(max_length=47, unique=True)
    group = models.ForeignKey(WorkforceGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(WorkforceUser, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=2048, blank=True, default="")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="workforce_membership_unique")]

    @property
    def arn(self) -> str:
        return f"arn:aws:identitystore:::membership/{self.membership_id}"


class ScimToken(models.Model):
    """A SCIM bearer token: its public id and an HMAC digest of its secret, never the secret itself."""

    store = models.ForeignKey(IdentityStore, on_delete=models.CASCADE, related_name="scim_tokens")
    token_id = models.CharField(max_length=36, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=2048, blank=True, default="")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
