"""Role sessions: the temporary credentials AssumeRole issues, hidden once expired and purged on a schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from directory.models import Role
from iam_console import identifiers
from sts.federation.models import (  # noqa: F401 - the federation models belong to this app
    ConsoleSignInProvider,
    OpenIDConnectProvider,
    OpenIDConnectProviderTag,
    SAMLProvider,
    SAMLProviderTag,
    SeenAssertion,
)


class ExpiringManager(models.Manager):
    """Hides expired rows. Reads never delete: the scheduled purge does."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(expiration__gt=timezone.now())


class RoleSession(models.Model):
    """One AssumeRole grant. The secret is derived from a server key and `secret_nonce`, never stored; the
    session token is stored only as an HMAC digest."""

    access_key_id = models.CharField(max_length=32, unique=True)
    secret_nonce = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=64)
    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="sessions")
    session_name = models.CharField(max_length=64)
    source_identity = models.CharField(max_length=64, blank=True)
    # The session policies (inline document, then the managed ones' documents as they were at issue time).
    session_policies = models.JSONField(default=list, blank=True)
    session_tags = models.JSONField(default=dict, blank=True)
    # The session tags that a role chained from this session inherits (AWS's TransitiveTagKeys).
    transitive_tag_keys = models.JSONField(default=list, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expiration = models.DateTimeField()
    caller_arn = models.CharField(max_length=2048)
    # The IAM user at the origin of the session (directly or through role chaining), for RevokeUserSessions.
    source_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="role_sessions")
    chained = models.BooleanField(default=False)
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # AssumeRoleWithWebIdentity / AssumeRoleWithSAML: the provider's ARN (aws:FederatedProvider); caller_arn
    # then names the federated identity (the token's subject or the assertion's NameID).
    federated_provider = models.CharField(max_length=2048, blank=True)

    objects = ExpiringManager()
    all_objects = models.Manager()  # noqa: DJ012 - the unfiltered manager, for authentication and the purge

    class Meta:
        base_manager_name = "all_objects"
        indexes = [
            models.Index(fields=["expiration"], name="role_session_expiration"),
            models.Index(fields=["role", "issued_at"], name="role_session_role_issued"),
        ]

    def __str__(self) -> str:
        return f"{self.role_id}:{self.session_name}"

    @property
    def assumed_role_arn(self) -> str:
        """arn:aws:sts::<account>:assumed-role/<role>/<session>: the session as a principal."""
        return identifiers.assumed_role_arn(self.role.account_id, self.role.role_name, self.session_name)

    @property
    def assumed_role_id(self) -> str:
        """AROA…:<session>, the session's unique id (aws:userid)."""
        return f"{self.role.role_id}:{self.session_name}"

    @property
    def is_expired(self) -> bool:
        return self.expiration <= timezone.now()

    def is_revoked(self, role: Role | None = None) -> bool:
        """Revoked by itself (RevokeUserSessions) or by its role's cut-off (RevokeRoleSessions)."""
        role = role or self.role
        cutoff = role.sessions_revoked_before
        return self.revoked or (cutoff is not None and self.issued_at < cutoff)


class UserSession(models.Model):
    """One GetSessionToken grant: temporary credentials that act as the IAM user itself, MFA-authenticated when
    the request carried a code. Secret and token are kept as RoleSession keeps them (derived, digested)."""

    access_key_id = models.CharField(max_length=32, unique=True)
    secret_nonce = models.CharField(max_length=64)
    token_digest = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="user_sessions")
    issued_at = models.DateTimeField(default=timezone.now)
    expiration = models.DateTimeField()
    mfa_authenticated_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    objects = ExpiringManager()
    all_objects = models.Manager()  # noqa: DJ012 - the unfiltered manager, for authentication and the purge

    class Meta:
        base_manager_name = "all_objects"
        indexes = [models.Index(fields=["expiration"], name="user_session_expiration")]

    @property
    def is_expired(self) -> bool:
        return self.expiration <= timezone.now()


class RecentRole(models.Model):
    """A role a user switched to in the console: the last five are kept, one click away."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recent_roles")
    account = models.CharField(max_length=12)
    role_name = models.CharField(max_length=576)  # path (without its slashes at the ends) and name, as typed
    display_name = models.CharField(max_length=64)
    color = models.CharField(max_length=16)
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-used_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "account", "role_name"], name="recent_role_unique")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.role_name}@{self.account})"
