"""Directory entities: users, groups, memberships, access keys, tags, MFA devices, the password policy and history."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from iam_console import identifiers


class UserManager(BaseUserManager):
    def get_by_natural_key(self, username: str) -> User:
        """Django's natural key: `<account id>/<user name>`, since a name is unique only within its account."""
        account_id, _, name = username.rpartition("/")
        return self.get(account_id=account_id, user_name_key=name.lower())

    def iam_users(self, account_id: str) -> models.QuerySet[User]:
        """An account's IAM users, as ListUsers sees them: the root user is the account, not a user."""
        return self.filter(account_id=account_id, is_superuser=False)

    def root_of(self, account_id: str) -> User | None:
        return self.filter(account_id=account_id, is_superuser=True).first()


class User(AbstractBaseUser):
    """An IAM user, or (is_superuser) the account's root user. The console password is Django's `password`."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="users")
    user_name = models.CharField(max_length=64)
    # Names are unique per account case-insensitively, as in IAM; lookups and keyset pagination use this column.
    user_name_key = models.GeneratedField(expression=Lower("user_name"), output_field=models.CharField(max_length=64),
                                          db_persist=True)
    path = models.CharField(max_length=512, default="/")
    user_id = models.CharField(max_length=32, unique=True)
    create_date = models.DateTimeField(default=timezone.now)
    is_superuser = models.BooleanField(default=False, help_text="The account's root user: allowed everything.")

    # The login profile (console password). A user without one has an unusable password.
    login_profile_create_date = models.DateTimeField(null=True, blank=True)
    password_reset_required = models.BooleanField(default=False)
    password_last_changed = models.DateTimeField(null=True, blank=True)
    # Console lockout after repeated sign-in failures.
    locked_until = models.DateTimeField(null=True, blank=True)

    # AbstractBaseUser.last_login is IAM's PasswordLastUsed.
    USERNAME_FIELD = "user_name"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user_name_key"], name="user_name_unique_per_account"),
            # The root user is the account's own: one per account at most.
            models.UniqueConstraint(fields=["account"], condition=models.Q(is_superuser=True),
                                    name="user_one_root_per_account"),
        ]
        indexes = [
            models.Index(fields=["account", "path", "user_name_key"], name="user_account_path_name"),
            # The console's "newest first" sort pages through (create_date, name) at any directory size.
            models.Index(fields=["account", "create_date", "user_name_key"], name="user_account_created_name"),
        ]

    def __str__(self) -> str:
        return self.user_name

    def natural_key(self) -> tuple[str]:
        return (f"{self.account_id}/{self.user_name}",)

    # --- Principal protocol (iam_console.callers.Principal); account_id is the account foreign key's column ---
    @property
    def arn(self) -> str:
        if self.is_superuser:
            return identifiers.root_arn(self.account_id)
        return identifiers.user_arn(self.account_id, self.path, self.user_name)

    @property
    def unique_id(self) -> str:
        return self.user_id

    @property
    def principal_name(self) -> str:
        return self.user_name

    @property
    def is_root(self) -> bool:
        return self.is_superuser

    def policy_set(self):
        """All policies that apply to this user (direct, inline, through groups, boundary), in one query."""
        from directory.policy_sets import user_policy_set

        return user_policy_set(self)

    @property
    def has_login_profile(self) -> bool:
        return self.login_profile_create_date is not None

    @property
    def password_last_used(self):
        return self.last_login


class Group(models.Model):
    """An IAM group: flat (no nesting), holds users, carries policies."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="groups")
    group_name = models.CharField(max_length=128)
    group_name_key = models.GeneratedField(expression=Lower("group_name"),
                                           output_field=models.CharField(max_length=128), db_persist=True)
    path = models.CharField(max_length=512, default="/")
    group_id = models.CharField(max_length=32, unique=True)
    create_date = models.DateTimeField(default=timezone.now)
    users = models.ManyToManyField(User, through="GroupMembership", related_name="iam_groups")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "group_name_key"], name="group_name_unique_per_account"),
        ]
        indexes = [models.Index(fields=["account", "path", "group_name_key"], name="group_account_path_name")]

    def __str__(self) -> str:
        return self.group_name

    @property
    def arn(self) -> str:
        return identifiers.group_arn(self.account_id, self.path, self.group_name)


class GroupMembership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "group"], name="membership_unique")]


class AccessKey(models.Model):
    """A long-term access key. The secret is never stored: it is derived from a server key and `secret_nonce`."""

    class Status(models.TextChoices):
        ACTIVE = "Active"
        INACTIVE = "Inactive"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_keys")
    access_key_id = models.CharField(max_length=32, unique=True)
    secret_nonce = models.CharField(max_length=64)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    create_date = models.DateTimeField(default=timezone.now)
    last_used_date = models.DateTimeField(null=True, blank=True)
    last_used_service = models.CharField(max_length=64, blank=True)
    last_used_region = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["create_date", "id"]

    def __str__(self) -> str:
        return self.access_key_id

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class UserTag(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["user", "key_lower"], name="user_tag_key_unique")]


class PasswordPolicy(models.Model):
    """An account's password policy: one row per account at most. No row means AWS's default rules apply."""

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="password_policy")
    minimum_password_length = models.PositiveSmallIntegerField(default=8)
    require_symbols = models.BooleanField(default=False)
    require_numbers = models.BooleanField(default=False)
    require_uppercase_characters = models.BooleanField(default=False)
    require_lowercase_characters = models.BooleanField(default=False)
    allow_users_to_change_password = models.BooleanField(default=False)
    max_password_age = models.PositiveSmallIntegerField(null=True, blank=True)
    password_reuse_prevention = models.PositiveSmallIntegerField(null=True, blank=True)
    hard_expiry = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "password policy"


class PasswordHistory(models.Model):
    """Hashes of a user's earlier passwords, for PasswordReusePrevention. Hashes only, never passwords."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password_hash = models.CharField(max_length=256)
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-create_date", "-id"]
        indexes = [models.Index(fields=["user", "-create_date"], name="password_history_recent")]


class CredentialReport(models.Model):
    """A credential report job and, once COMPLETE, its CSV (held in CredentialReportChunk rows).

    A row is created INPROGRESS when a job starts and flips to COMPLETE in the same transaction that stores
    the CSV, so a report is never visible half-written. At most one job per account is in progress at a time.
    """

    class State(models.TextChoices):
        INPROGRESS = "INPROGRESS"
        COMPLETE = "COMPLETE"

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="credential_reports")
    state = models.CharField(max_length=16, choices=State.choices, default=State.INPROGRESS)
    requested_at = models.DateTimeField(default=timezone.now)
    # The moment of the database snapshot the rows were read from: AWS's GeneratedTime.
    generated_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0, help_text="Report rows: the root account and every user.")
    size_bytes = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.CharField(max_length=2048, blank=True)

    class Meta:
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["account", "state", "-generated_at"], name="credreport_account_state")]
        constraints = [
            models.UniqueConstraint(fields=["account"], condition=models.Q(state="INPROGRESS"),
                                    name="credreport_one_in_progress_per_account"),
        ]

    def __str__(self) -> str:
        return f"credential report {self.pk} {self.state}"


class CredentialReportChunk(models.Model):
    """One slice of a report's CSV bytes; slices keep storing and streaming a large report in constant memory."""

    report = models.ForeignKey(CredentialReport, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["report", "seq"]
        constraints = [models.UniqueConstraint(fields=["report", "seq"], name="credreport_chunk_seq")]


class UnusedAccessKeyFlag(models.Model):
    """An access key seen unused for 90 days or more by the housekeeping job (flagged once, audited once)."""

    access_key = models.OneToOneField(AccessKey, on_delete=models.CASCADE, related_name="unused_flag")
    flagged_at = models.DateTimeField(default=timezone.now)
    # The last sign of life when flagged: last use, or creation for a key never used.
    last_activity = models.DateTimeField()


class Role(models.Model):
    """An IAM role: assumable by the principals its trust policy names, for sessions of limited duration."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="roles")
    role_name = models.CharField(max_length=64)
    role_name_key = models.GeneratedField(expression=Lower("role_name"), output_field=models.CharField(max_length=64),
                                          db_persist=True)
    path = models.CharField(max_length=512, default="/")
    role_id = models.CharField(max_length=32, unique=True)
    description = models.CharField(max_length=1000, blank=True)
    assume_role_policy_document = models.TextField()
    max_session_duration = models.PositiveIntegerField(default=3600)
    create_date = models.DateTimeField(default=timezone.now)
    # Sessions issued before this moment are refused on their next request (RevokeRoleSessions).
    sessions_revoked_before = models.DateTimeField(null=True, blank=True)
    # Bumped on every trust policy change: the compiled trust policy is cached by (role, version).
    trust_policy_version = models.PositiveIntegerField(default=1)
    last_used_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "role_name_key"], name="role_name_unique_per_account"),
        ]
        indexes = [models.Index(fields=["account", "path", "role_name_key"], name="role_account_path_name")]

    def __str__(self) -> str:
        return self.role_name

    @property
    def arn(self) -> str:
        return identifiers.role_arn(self.account_id, self.path, self.role_name)


class RoleTag(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["role", "key_lower"], name="role_tag_key_unique")]


class MFADevice(ThrottlingMixin, TimestampMixin, Device):
    """A virtual (TOTP) MFA device. Its serial number is its ARN: arn:aws:iam::<account>:mfa/<path><name>.

    The seed is sealed with a server key (directory.mfa.sealing) bound to this device; the plaintext exists
    only in the response that creates the device. `confirmed` is IAM's "enabled": a device becomes usable
    once EnableMFADevice has seen two consecutive codes from it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_devices")
    name = models.CharField(max_length=226)
    path = models.CharField(max_length=512, default="/")
    serial_number = models.CharField(max_length=256, unique=True)
    sealed_seed = models.TextField(editable=False)
    confirmed = models.BooleanField(default=False)
    enable_date = models.DateTimeField(null=True, blank=True)
    # The last accepted time step: a code at or before it is refused, so a code is good once.
    last_t = models.BigIntegerField(default=-1)
    # Clock drift, in steps, learnt at enablement and resynchronisation.
    drift = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "confirmed"], name="mfadevice_user_confirmed")]

    def __str__(self) -> str:
        return self.serial_number

    # ThrottlingMixin's columns hold the device's count of wrong codes, on the ladder of iam_console.guesses
    # (directory.mfa.devices writes them outside the refused operation's transaction); its own doubling from one
    # second is not used.
    def get_throttle_factor(self) -> int:
        return settings.IAM_LOCKOUT_DURATION_SECONDS

    def verify_is_allowed(self) -> tuple[bool, dict | None]:
        from directory.mfa.devices import stored_wait  # the ladder lives with the code checks

        wait = stored_wait(self)
        if wait:
            return False, {"reason": "N_FAILED_ATTEMPTS", "failure_count": self.throttling_failure_count,
                           "locked_until": timezone.now() + timedelta(seconds=wait)}
        return True, None


class MFADeviceTag(models.Model):
    """A tag on a virtual MFA device (TagMFADevice); keys compare case-insensitively, 50 at most."""

    device = models.ForeignKey(MFADevice, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["device", "key_lower"], name="mfa_device_tag_key_unique")]


class MFARecoveryCode(models.Model):
    """A single-use code a user may give instead of a TOTP code. Only a keyed digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mfa_recovery_codes")
    code_digest = models.CharField(max_length=64)
    create_date = models.DateTimeField(default=timezone.now)
    used_date = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_digest"], name="recovery_code_unique")]


class MFARequirement(models.Model):
    """Who must sign in with MFA: nobody, everyone, or the members of chosen groups. One row per account at most."""

    class Scope(models.TextChoices):
        NONE = "None"
        ALL = "All"
        GROUPS = "Groups"

    account = models.OneToOneField("accounts.Account", on_delete=models.PROTECT, related_name="mfa_requirement")
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.NONE)
    groups = models.ManyToManyField(Group, blank=True, related_name="+")
    update_date = models.DateTimeField(default=timezone.now)


# --- What users, groups and roles hold of policies: attachments, inline policies, permissions boundaries. ---
# These models were born in the policies app; their tables keep the names they had there.


class UserPolicyAttachment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="policy_attachments")
    policy = models.ForeignKey("policies.ManagedPolicy", on_delete=models.PROTECT, related_name="user_attachments")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_userpolicyattachment"  # created by the policies app; the rows stayed where they were
        constraints = [models.UniqueConstraint(fields=["user", "policy"], name="user_policy_attachment_unique")]


class GroupPolicyAttachment(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="policy_attachments")
    policy = models.ForeignKey("policies.ManagedPolicy", on_delete=models.PROTECT, related_name="group_attachments")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_grouppolicyattachment"  # created by the policies app; the rows stayed where they were
        constraints = [models.UniqueConstraint(fields=["group", "policy"], name="group_policy_attachment_unique")]


class UserInlinePolicy(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="inline_policies")
    policy_name = models.CharField(max_length=128)
    policy_name_key = models.GeneratedField(expression=Lower("policy_name"),
                                            output_field=models.CharField(max_length=128), db_persist=True)
    document = models.TextField()
    update_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_userinlinepolicy"  # created by the policies app; the rows stayed where they were
        ordering = ["policy_name_key"]
        constraints = [models.UniqueConstraint(fields=["user", "policy_name_key"], name="user_inline_unique")]


class GroupInlinePolicy(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="inline_policies")
    policy_name = models.CharField(max_length=128)
    policy_name_key = models.GeneratedField(expression=Lower("policy_name"),
                                            output_field=models.CharField(max_length=128), db_persist=True)
    document = models.TextField()
    update_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_groupinlinepolicy"  # created by the policies app; the rows stayed where they were
        ordering = ["policy_name_key"]
        constraints = [models.UniqueConstraint(fields=["group", "policy_name_key"], name="group_inline_unique")]


class UserPermissionsBoundary(models.Model):
    """A managed policy that caps what a user's identity policies can allow."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="permissions_boundary")
    policy = models.ForeignKey("policies.ManagedPolicy", on_delete=models.PROTECT, related_name="user_boundaries")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_userpermissionsboundary"  # created by the policies app; the rows stayed where they were



class RolePolicyAttachment(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="policy_attachments")
    policy = models.ForeignKey("policies.ManagedPolicy", on_delete=models.PROTECT, related_name="role_attachments")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_rolepolicyattachment"  # created by the policies app; the rows stayed where they were
        constraints = [models.UniqueConstraint(fields=["role", "policy"], name="role_policy_attachment_unique")]


class RoleInlinePolicy(models.Model):
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="inline_policies")
    policy_name = models.CharField(max_length=128)
    policy_name_key = models.GeneratedField(expression=Lower("policy_name"),
                                            output_field=models.CharField(max_length=128), db_persist=True)
    document = models.TextField()
    update_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_roleinlinepolicy"  # created by the policies app; the rows stayed where they were
        ordering = ["policy_name_key"]
        constraints = [models.UniqueConstraint(fields=["role", "policy_name_key"], name="role_inline_unique")]


class RolePermissionsBoundary(models.Model):
    """A managed policy that caps what a role's policies can allow, in every session of the role."""

    role = models.OneToOneField(Role, on_delete=models.CASCADE, related_name="permissions_boundary")
    policy = models.ForeignKey("policies.ManagedPolicy", on_delete=models.PROTECT, related_name="role_boundaries")
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "policies_rolepermissionsboundary"  # created by the policies app; the rows stayed where they were

