"""The access portal: a person's password (set through an administrator's one-time invitation), their portal
sessions, the accounts and permission sets assigned to them (directly or through their groups), and the role
sessions it issues them. Deprovisioning a person ends all of these at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import Account
from accounts.selectors import management_account_id
from directory.passwords import check_password_against_policy, effective_policy
from iam_console import guesses
from iam_console.callers import Caller
from iam_console.errors import IAMError
from iam_console.guesses import Secret
from iam_console.operations import iam_operation
from identitycenter import identifiers
from identitycenter.access import EVENT_SOURCE, instance_of
from identitycenter.errors import AccessDeniedException, ResourceNotFoundException
from identitycenter.models import (
    AccountAssignment,
    PermissionSet,
    PortalInvitation,
    PortalPassword,
    PortalRoleSession,
    PortalSession,
    ProvisionedRole,
)
from identitycenter.principals import PortalPerson
from identitycenter.services import portal_mfa
from identitycenter.services.access_control_attributes import session_tags_for
from identitystore.deprovisioning import person_deprovisioned
from identitystore.models import WorkforceMembership, WorkforceUser
from policies.authorization import authorize_caller
from sts.models import RoleSession
from sts.services import AssumedRole, issue_session

INVITATION_LIFETIME = timedelta(days=7)
# The portal's sign-in lasts as AWS's access portal session does by default: eight hours.
PORTAL_SESSION_LIFETIME = timedelta(hours=8)
SIGN_IN_FAILED = "The user name or password is not correct."


class PortalSignInFailed(IAMError):
    """The access portal's sign-in failed: a wrong user name or password (told alike)."""

    code, http_status = "AuthenticationFailed", 401


def _digest(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def person_caller(user: WorkforceUser, **context) -> Caller:
    return Caller(principal=PortalPerson.of(user), via="console", **context)


# --- passwords ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Invitation:
    user: WorkforceUser
    token: str  # shown once, in the link the administrator hands over

    def audit_elements(self) -> dict:
        return {"userId": self.user.user_id}


@iam_operation("CreatePortalInvitation", event_source=EVENT_SOURCE, action="identitystore:UpdateUser")
def create_invitation(*, caller: Caller, user_id: str) -> Invitation:
    """A one-time link for the person to set their portal password, authorized as identitystore:UpdateUser."""
    instance = instance_of(caller.account_id)
    user = WorkforceUser.objects.filter(store_id=instance.store_id if instance else None, user_id=user_id).first()
    authorize_caller(caller, "identitystore:UpdateUser", f"arn:aws:identitystore:::user/{user_id}")
    if user is None:
        raise ResourceNotFoundException(f"The user {user_id} is not in the identity store.")
    token = secrets.token_urlsafe(32)
    PortalInvitation.objects.create(user=user, digest=_digest(token), expires_at=timezone.now() + INVITATION_LIFETIME)
    return Invitation(user=user, token=token)


def invitation_user(token: str) -> WorkforceUser | None:
    found = PortalInvitation.objects.filter(digest=_digest(token or ""), used_at=None,
                                            expires_at__gt=timezone.now(), user__active=True).select_related(
        "user__store").first()
    return found.user if found else None


@iam_operation("AcceptPortalInvitation", event_source=EVENT_SOURCE, needs_permission=False)
def accept_invitation(*, caller: Caller, token: str, password: str) -> WorkforceUser:
    """Set the person's password from their invitation: the link works once, within its lifetime."""
    invitation = PortalInvitation.objects.select_for_update().filter(
        digest=_digest(token or ""), used_at=None, expires_at__gt=timezone.now(), user__active=True).select_related(
        "user__store").first()
    if invitation is None:
        raise AccessDeniedException("This invitation is not valid: it was used, it expired, or it never existed.")
    user = invitation.user
    check_password_against_policy(password, user=user, policy=effective_policy(user.store.account_id))
    PortalPassword.objects.update_or_create(user=user, defaults={"password": make_password(password),
                                                                 "set_at": timezone.now()})
    PortalInvitation.objects.filter(user=user, used_at=None).update(used_at=timezone.now())
    return user


# --- portal sessions ----------------------------------------------------------------------------------------------
SECOND_STEP_SALT = "identitycenter.portal.second-step"
SECOND_STEP_TOO_LATE = "The sign-in took too long, or its password changed. Please sign in again."
WRONG_CODE = "The code is not right, or it was already used."


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in (`session`), or a right password whose MFA step is still to come: `second_step` is
    portal_mfa.CODE or portal_mfa.ENROL and `pending` the signed, short-lived token that step takes back."""

    user: WorkforceUser
    session: PortalSession | None = None
    second_step: str | None = None
    pending: str = ""

    @property
    def audit_actor(self) -> str:
        return PortalPerson.of(self.user).arn

    def audit_elements(self) -> dict:
        if self.session is None:
            return {"userId": self.user.user_id, "secondFactor": self.second_step}
        return {"userId": self.user.user_id, "MFAUsed": "Yes" if self.second_step else "No"}


def _password_stamp(user: WorkforceUser) -> str:
    stored = PortalPassword.objects.filter(user=user).values_list("set_at", flat=True).first()
    return stored.isoformat() if stored else ""


def start_session(user: WorkforceUser, second_step: str | None = None) -> SignedIn:
    session = PortalSession.objects.create(user=user, expires_at=timezone.now() + PORTAL_SESSION_LIFETIME)
    return SignedIn(user=user, session=session, second_step=second_step)


@iam_operation("Authenticate", event_source="signin.amazonaws.com", needs_permission=False)
def sign_in(*, caller: Caller, user_name: str, password: str) -> SignedIn:
    """A person's sign-in to the portal; the same refusal for an unknown name, a wrong password, an inactive
    person and one who has set no password. With MFA (portal_mfa) a right password only opens the second step."""
    instance = instance_of(management_account_id())
    # Counted and throttled as the console's sign-in is: per client, and per person (named or not, alike).
    target = f"portal:{(user_name or '').lower()[:128]}"
    guesses.admit(Secret.PASSWORD, client=caller.source_ip, target=target)
    user = WorkforceUser.objects.filter(store_id=instance.store_id if instance else None,
                                        user_name_key=(user_name or "").lower()).select_related("store").first()
    stored = PortalPassword.objects.filter(user=user).first() if user is not None else None
    # Checked even when nobody has the name, so the answer takes as long either way.
    good = check_password(password or "", stored.password if stored else make_password(None))
    if not (good and user is not None and user.active):
        guesses.refused(Secret.PASSWORD, client=caller.source_ip, target=target)
        raise PortalSignInFailed(SIGN_IN_FAILED)
    guesses.accepted(Secret.PASSWORD, target=target)
    step = portal_mfa.second_step(user)
    if step is None:
        return start_session(user)
    pending = signing.dumps({"user": user.user_id, "password": _password_stamp(user)}, salt=SECOND_STEP_SALT)
    return SignedIn(user=user, second_step=step, pending=pending)


def pending_sign_in(pending: str) -> tuple[WorkforceUser, str]:
    """The person and the second step a pending sign-in is at; PortalSignInFailed when it expired, its password
    changed, or the person was deactivated meanwhile."""
    try:
        found = signing.loads(pending or "", salt=SECOND_STEP_SALT, max_age=settings.IAM_MFA_SIGN_IN_SECONDS)
        user = WorkforceUser.objects.filter(user_id=found["user"], active=True).select_related("store").first()
    except (signing.BadSignature, KeyError, TypeError):
        user = None
    step = portal_mfa.second_step(user) if user is not None else None
    if user is None or step is None or found.get("password") != _password_stamp(user):
        raise PortalSignInFailed(SECOND_STEP_TOO_LATE)
    return user, step


def start_mfa_registration(pending: str) -> portal_mfa.NewDevice:
    """The device a person registers at sign-in, where the requirement covers them and they have none yet."""
    user, step = pending_sign_in(pending)
    if step != portal_mfa.ENROL:
        raise PortalSignInFailed(SECOND_STEP_TOO_LATE)
    return portal_mfa.start_registration(user)


@iam_operation("Authenticate", event_source="signin.amazonaws.com", needs_permission=False)
def finish_sign_in(*, caller: Caller, pending_token: str, authentication_code: str) -> SignedIn:
    """The second step: a code from the person's device (or from the one being registered) starts the session.
    The parameters' names keep both values out of the audit record (iam_console.redaction)."""
    user, step = pending_sign_in(pending_token)
    if not portal_mfa.check_code(user, authentication_code, client=caller.source_ip,
                                 registering=step == portal_mfa.ENROL):
        raise PortalSignInFailed(WRONG_CODE)
    return start_session(user, step)


def live_session(key: object) -> PortalSession | None:
    """The live portal session a browser or token names, or None (ended, expired, its person deactivated)."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        return None
    return PortalSession.objects.filter(key=key, ended_at=None, expires_at__gt=timezone.now(),
                                        user__active=True).select_related("user__store").first()


def sign_out(key: object) -> None:
    session = live_session(key)
    if session is not None:
        PortalSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())


# --- what a person may open -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Access:
    """One account and permission set assigned to a person, and the role it is provisioned as there."""

    account: Account
    permission_set: PermissionSet
    role_name: str


def accesses_of(user: WorkforceUser, account_id: str | None = None) -> list[Access]:
    """Every account and permission set assigned to the person directly or through a group, provisioned and
    active, in account then permission-set order (a constant number of queries)."""
    groups = WorkforceMembership.objects.filter(user=user).values_list("group__group_id", flat=True)
    assignments = AccountAssignment.objects.filter(
        Q(principal_type="USER", principal_id=user.user_id) | Q(principal_type="GROUP", principal_id__in=groups),
        account__status=Account.Status.ACTIVE)
    if account_id is not None:
        assignments = assignments.filter(account_id=account_id)
    pairs = set(assignments.values_list("account_id", "permission_set_id"))
    roles = ProvisionedRole.objects.filter(
        account_id__in={a for a, _ in pairs}, permission_set_id__in={p for _, p in pairs}).select_related(
        "account", "permission_set", "role")
    found = [Access(row.account, row.permission_set, row.role.role_name) for row in roles
             if (row.account_id, row.permission_set_id) in pairs]
    return sorted(found, key=lambda access: (access.account.name.lower(), access.account.pk,
                                             access.permission_set.name.lower()))


def assigned_role(user: WorkforceUser, account_id: str, role_name: str) -> ProvisionedRole | None:
    """The provisioned role of a permission set assigned to the person (directly or through a group) in an active
    account, named by the set's name or the role's: one query, for the hot path of GetRoleCredentials."""
    groups = WorkforceMembership.objects.filter(user=user).values("group__group_id")
    assigned = AccountAssignment.objects.filter(
        Q(principal_type="USER", principal_id=user.user_id) | Q(principal_type="GROUP", principal_id__in=groups),
        permission_set=OuterRef("permission_set"), account=OuterRef("account"))
    return ProvisionedRole.objects.filter(
        Q(permission_set__name=role_name) | Q(role__role_name=role_name), Exists(assigned),
        account_id=account_id, account__status=Account.Status.ACTIVE).select_related(
        "account", "permission_set", "role").first()


@dataclass(frozen=True)
class PortalCredentials:
    assumed: AssumedRole
    account_id: str
    role_name: str

    @property
    def audit_actor(self) -> str:
        return self.assumed.session.caller_arn

    def audit_elements(self) -> dict:
        return {"accountId": self.account_id, "roleName": self.role_name,
                "accessKeyId": self.assumed.access_key_id}


@iam_operation("GetRoleCredentials", event_source="sso.amazonaws.com", needs_permission=False, audit_reads=True)
def get_role_credentials(*, caller: Caller, session: PortalSession, account_id: str,
                         role_name: str) -> PortalCredentials:
    """A role session for the person in an account, through a permission set assigned to them (named by its role
    name in the portal API, by its permission set's name in the portal's pages): an ordinary role session,
    revocable, audited, and subject to the account's SCPs, tagged with the person's attributes for access control."""
    user = session.user
    record = assigned_role(user, account_id, role_name)
    if record is None:
        raise AccessDeniedException("No access: the permission set is not assigned to you in this account.")
    access = Access(record.account, record.permission_set, record.role.role_name)
    role = record.role
    now = timezone.now()
    duration = identifiers.session_seconds(access.permission_set.session_duration)
    assumed = issue_session(role=role, session_name=user.user_name[:64], issued_at=now, duration=duration,
                            caller_arn=PortalPerson.of(user).arn, source_identity="",
                            session_tags=session_tags_for(user, access.permission_set.instance_id),
                            federated_provider=f"arn:aws:iam::{account_id}:saml-provider/AWSSSO_"
                                               f"{access.permission_set.instance_id[7:]}_DO_NOT_DELETE")
    PortalRoleSession.objects.create(user=user, portal_session=session, role_session=assumed.session)
    return PortalCredentials(assumed=assumed, account_id=account_id, role_name=access.permission_set.name)


# --- deprovisioning -----------------------------------------------------------------------------------------------
def end_everything_of(user: WorkforceUser) -> tuple[int, int]:
    """End the person's portal sessions and revoke every role session issued to them; (portal, role) counts."""
    now = timezone.now()
    portal = PortalSession.objects.filter(user=user, ended_at=None).update(ended_at=now)
    role = RoleSession.all_objects.filter(portal_grant__user=user, revoked=False).update(revoked=True)
    return portal, role


@receiver(person_deprovisioned, dispatch_uid="identitycenter.portal.end_sessions")
def _on_deprovisioned(sender, user: WorkforceUser, reason: str, **kwargs) -> None:
    with transaction.atomic():
        end_everything_of(user)
