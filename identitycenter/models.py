"""IAM Identity Center (sso-admin/2020-07-20): the one instance of the management account, its permission sets,
the account assignments that give people and groups a permission set in an account, and the reserved role each
(permission set, account) pair is provisioned as."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.models import Account
from identitystore.models import IdentityStore


class Instance(models.Model):
    """The organization's Identity Center instance: in the management account, over its identity store."""

    id = models.CharField(max_length=23, primary_key=True)  # "ssoins-" + 16 lowercase hex digits
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="identity_center")
    store = models.OneToOneField(IdentityStore, on_delete=models.PROTECT, related_name="instance")
    name = models.CharField(max_length=255, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id__regex=r"^ssoins-[0-9a-f]{16}$"),
                                              name="identity_center_instance_id_form")]

    @property
    def arn(self) -> str:
        return f"arn:aws:sso:::instance/{self.id}"


class PermissionSet(models.Model):
    """What access means in an account: policies, a boundary, a session duration, materialised as a role.

    `revision` grows with every change of what the role must hold; a provisioned role remembers the revision it was
    made from, so "provisioned with the latest" is a comparison, and the drift report compares the role itself."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="permission_sets")
    ps_id = models.CharField(max_length=19, unique=True)  # "ps-" + 16 lowercase hex digits
    name = models.CharField(max_length=32)
    name_key = models.GeneratedField(expression=Lower("name"), output_field=models.CharField(max_length=32),
                                     db_persist=True)
    description = models.CharField(max_length=700, blank=True, default="")
    session_duration = models.CharField(max_length=100, default="PT1H")
    relay_state = models.CharField(max_length=240, blank=True, default="")
    inline_policy = models.TextField(blank=True, default="")
    # The permissions boundary: an AWS managed policy ARN, or a customer managed policy's name and path.
    boundary_managed_arn = models.CharField(max_length=2048, blank=True, default="")
    boundary_name = models.CharField(max_length=128, blank=True, default="")
    boundary_path = models.CharField(max_length=512, blank=True, default="")
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["ps_id"]
        constraints = [models.UniqueConstraint(fields=["instance", "name_key"], name="permission_set_name_unique")]

    @property
    def arn(self) -> str:
        return f"arn:aws:sso:::permissionSet/{self.instance_id}/{self.ps_id}"


class ManagedPolicyAttachment(models.Model):
    """An AWS managed policy of a permission set, by ARN (the same policy in every account)."""

    permission_set = models.ForeignKey(PermissionSet, on_delete=models.CASCADE, related_name="managed_policies")
    policy_arn = models.CharField(max_length=2048)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["permission_set", "policy_arn"],
                                               name="permission_set_managed_policy_unique")]


class CustomerPolicyReference(models.Model):
    """A customer managed policy by name and path: each account must hold a policy of that name and path."""

    permission_set = models.ForeignKey(PermissionSet, on_delete=models.CASCADE, related_name="customer_policies")
    name = models.CharField(max_length=128)
    path = models.CharField(max_length=512, default="/")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["permission_set", "name", "path"],
                                               name="permission_set_customer_policy_unique")]


class PermissionSetTag(models.Model):
    permission_set = models.ForeignKey(PermissionSet, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    value = models.CharField(max_length=256, blank=True, default="")

    class Meta:
        ordering = ["key"]
        constraints = [models.UniqueConstraint(fields=["permission_set", "key"], name="permission_set_tag_unique")]


class AccountAssignment(models.Model):
    """A user or group of the identity store given a permission set in an account."""

    class PrincipalType(models.TextChoices):
        USER = "USER"
        GROUP = "GROUP"

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="assignments")
    permission_set = models.ForeignKey(PermissionSet, on_delete=models.PROTECT, related_name="assignments")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sso_assignments")
    principal_type = models.CharField(max_length=5, choices=PrincipalType.choices)
    principal_id = models.CharField(max_length=47)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["permission_set", "account", "principal_type", "principal_id"],
                                               name="account_assignment_unique")]
        indexes = [models.Index(fields=["principal_type", "principal_id"], name="assignment_principal"),
                   models.Index(fields=["account", "permission_set"], name="assignment_account_set")]


class ProvisionedRole(models.Model):
    """The reserved role a permission set is provisioned as in one account, and the revision it was made from."""

    permission_set = models.ForeignKey(PermissionSet, on_delete=models.CASCADE, related_name="provisioned")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sso_roles")
    role = models.OneToOneField("directory.Role", on_delete=models.CASCADE, related_name="sso_provisioning")
    revision = models.PositiveIntegerField()
    provisioned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account_id"]
        constraints = [models.UniqueConstraint(fields=["permission_set", "account"], name="provisioned_role_unique")]


class OperationStatus(models.Model):
    """The asynchronous status of a ProvisionPermissionSet, CreateAccountAssignment or DeleteAccountAssignment."""

    class Kind(models.TextChoices):
        PROVISION = "PROVISION"
        CREATE_ASSIGNMENT = "CREATE_ASSIGNMENT"
        DELETE_ASSIGNMENT = "DELETE_ASSIGNMENT"

    class Status(models.TextChoices):
        IN_PROGRESS = "IN_PROGRESS"
        FAILED = "FAILED"
        SUCCEEDED = "SUCCEEDED"

    request_id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="operations")
    kind = models.CharField(max_length=17, choices=Kind.choices)
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.IN_PROGRESS)
    failure_reason = models.CharField(max_length=1024, blank=True, default="")
    permission_set_arn = models.CharField(max_length=1224)
    # PROVISION: the one account, or "" for every account the set is provisioned to (ALL_PROVISIONED_ACCOUNTS).
    target_id = models.CharField(max_length=12, blank=True, default="")
    principal_type = models.CharField(max_length=5, blank=True, default="")
    principal_id = models.CharField(max_length=47, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "request_id"]
        indexes = [models.Index(fields=["instance", "kind", "created_at"], name="sso_operation_kind_created")]


class PortalPassword(models.Model):
    """A person's password for the access portal (Argon2, as IAM users' passwords), set through an invitation."""

    user = models.OneToOneField("identitystore.WorkforceUser", on_delete=models.CASCADE,
                                related_name="portal_password")
    password = models.CharField(max_length=256)
    set_at = models.DateTimeField(default=timezone.now)


class PortalInvitation(models.Model):
    """A one-time link an administrator hands a person to set their portal password: only its digest is kept."""

    user = models.ForeignKey("identitystore.WorkforceUser", on_delete=models.CASCADE,
                             related_name="portal_invitations")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class PortalSession(models.Model):
    """A person signed in to the access portal (in a browser, or a token of the SSO flow); ended at sign-out or
    when the person is deprovisioned, and then refused at once on every door that accepts it."""

    key = models.UUIDField(primary_key=True, default=uuid.uuid4)
    user = models.ForeignKey("identitystore.WorkforceUser", on_delete=models.CASCADE, related_name="portal_sessions")
    started_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "ended_at"], name="portal_session_user_live")]


class PortalRoleSession(models.Model):
    """A role session the identity center issued to a person: what deprovisioning revokes."""

    user = models.ForeignKey("identitystore.WorkforceUser", on_delete=models.CASCADE, related_name="role_sessions")
    portal_session = models.ForeignKey(PortalSession, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="role_sessions")
    role_session = models.OneToOneField("sts.RoleSession", on_delete=models.CASCADE, related_name="portal_grant")
    issued_at = models.DateTimeField(default=timezone.now)


class OidcClient(models.Model):
    """A client registered with SSO OIDC (RegisterClient): the AWS CLI or an SDK on someone's machine."""

    client_id = models.CharField(max_length=64, unique=True)
    secret_digest = models.CharField(max_length=64)
    client_name = models.CharField(max_length=128)
    client_type = models.CharField(max_length=16, default="public")
    scopes = models.JSONField(default=list, blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()


class DeviceAuthorization(models.Model):
    """A device-code sign-in under way: the person approves the user code in the portal; the client polls with the
    device code (kept as a digest), no faster than `interval`, until it is approved, expires, or is used once."""

    client = models.ForeignKey(OidcClient, on_delete=models.CASCADE, related_name="device_authorizations")
    device_digest = models.CharField(max_length=64, unique=True)
    user_code = models.CharField(max_length=9, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    interval = models.PositiveSmallIntegerField(default=1)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    approved_session = models.ForeignKey(PortalSession, on_delete=models.CASCADE, null=True, blank=True,
                                         related_name="device_approvals")
    used_at = models.DateTimeField(null=True, blank=True)


class OidcToken(models.Model):
    """An SSO access token (and its refresh token), both kept as digests, bound to the person's portal session:
    ending the session (Logout, sign-out, deprovisioning) ends the token."""

    client = models.ForeignKey(OidcClient, on_delete=models.CASCADE, related_name="tokens")
    session = models.ForeignKey(PortalSession, on_delete=models.CASCADE, related_name="tokens")
    access_digest = models.CharField(max_length=64, unique=True)
    refresh_digest = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    refreshed_at = models.DateTimeField(null=True, blank=True)  # a refresh token is good once


class PortalMfaDevice(models.Model):
    """A person's authenticator app (TOTP) for the portal's sign-in. The seed is sealed with the server key, bound
    to the person and the device (directory.mfa.sealing); `confirmed` once a code from it was accepted; `last_t`
    is the last accepted time step, so a code is good once."""

    user = models.ForeignKey("identitystore.WorkforceUser", on_delete=models.CASCADE, related_name="mfa_devices")
    serial_number = models.CharField(max_length=64, unique=True)
    sealed_seed = models.TextField(editable=False)
    confirmed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    enable_date = models.DateTimeField(null=True, blank=True)
    last_t = models.BigIntegerField(default=-1)
    drift = models.SmallIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["user", "confirmed"], name="portal_mfa_user_confirmed")]


class AccessControlAttributeConfiguration(models.Model):
    """The instance's attributes for access control: each key names a session tag, its source the identity-store
    attribute (`${path:enterprise.department}`) whose value a person's role sessions carry under that key."""

    class Status(models.TextChoices):
        ENABLED = "ENABLED"
        CREATION_IN_PROGRESS = "CREATION_IN_PROGRESS"
        CREATION_FAILED = "CREATION_FAILED"

    instance = models.OneToOneField(Instance, on_delete=models.CASCADE, primary_key=True,
                                    related_name="access_control_attributes")
    attributes = models.JSONField(default=list)  # [{"Key": …, "Source": "${path:…}"}] in the order given
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENABLED)
    status_reason = models.CharField(max_length=1024, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
