"""STS operations: AssumeRole, GetCallerIdentity, session revocation, the purge of expired sessions."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import record_event
from directory import lookups
from directory.models import AccessKey, Role, User
from directory.services.roles import trust_policy_key
from iam_console import identifiers, metrics
from iam_console.decision_record import record_decision
from iam_console.errors import (
    AccessDenied,
    ExpiredToken,
    InvalidClientTokenId,
    PackedPolicyTooLarge,
    ValidationError,
)
from iam_console.operations import iam_operation, running_operation
from iam_console.validation import validate_tags
from policies.authorization import (
    Caller,
    authorize_caller,
    check_session_scope,
    decide,
    organization_context,
    policy_set_for,
)
from policies.documents import checked_document, non_whitespace_length
from policies.guardrail_loading import account_guardrails
from policies.language import (
    EXPLICIT_DENY,
    Request,
    compile_policy,
    evaluate_guardrails,
    evaluate_resource_policy,
)
from policies.services.managed import policy_by_arn
from sts import mfa
from sts.models import RoleSession, SeenAssertion, UserSession
from sts.principals import RoleSessionPrincipal, UserSessionPrincipal
from sts.secrets import derive_session_secret, new_secret_nonce, new_session_token, token_digest

logger = logging.getLogger(__name__)

STS = "sts.amazonaws.com"
MIN_DURATION = 900
DEFAULT_DURATION = 3600
CHAINED_MAX_DURATION = 3600
SESSION_POLICY_MAX = 2048  # characters of the inline session policy, whitespace not counted
SESSION_POLICY_ARNS_MAX = 10
SESSION_TAGS_MAX = 50
# The packed budget of session policies and tags together (AWS's PackedPolicySize is a percentage of it).
PACKED_BUDGET = 2048
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
_ROLE_ARN = re.compile(r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):role(?P<path>/(?:[\x21-\x7e]*/)?)"
                       r"(?P<name>[\w+=,.@-]{1,64})")

EXPIRED_MESSAGE = "The security token included in the request is expired"
REVOKED_MESSAGE = "The security token included in the request is expired: its session has been revoked"
INVALID_TOKEN_MESSAGE = "The security token included in the request is invalid."




@dataclass(frozen=True)
class AssumedRole:
    """AssumeRole's result. The secret and the token exist only here: shown once, never stored."""

    session: RoleSession
    secret_access_key: str
    session_token: str
    packed_policy_size: int

    @property
    def access_key_id(self) -> str:
        return self.session.access_key_id

    @property
    def expiration(self) -> datetime:
        return self.session.expiration

    @property
    def assumed_role_id(self) -> str:
        return self.session.assumed_role_id

    @property
    def arn(self) -> str:
        return self.session.assumed_role_arn

    def audit_elements(self) -> dict:
        return {"assumedRoleUser": {"assumedRoleId": self.assumed_role_id, "arn": self.arn},
                "accessKeyId": self.access_key_id, "expiration": self.expiration.isoformat(),
                "packedPolicySize": self.packed_policy_size}


def _denied(caller: Caller, resource: str, why: str = "") -> AccessDenied:
    reason = f" {why}" if why else ""
    return AccessDenied(f"User: {caller.principal.arn} is not authorized to perform: sts:AssumeRole on resource: "
                        f"{resource}{reason}")


def _constraint(value: object, field: str, rule: str) -> ValidationError:
    return ValidationError(f"1 validation error detected: Value '{str(value)[:80]}' at '{field}' failed to "
                           f"satisfy constraint: {rule}")


def _check_inputs(role_arn: object, role_session_name: object, duration_seconds: object, external_id: object,
                  serial_number: object, token_code: object, source_identity: object) -> None:
    if not isinstance(role_arn, str) or not 20 <= len(role_arn) <= 2048:
        raise _constraint(role_arn, "roleArn", "Member must have length between 20 and 2048")
    if not isinstance(role_session_name, str) or not _SESSION_NAME.fullmatch(role_session_name):
        raise _constraint(role_session_name, "roleSessionName",
                          r"Member must have length between 2 and 64 and satisfy regular expression pattern: "
                          r"[\w+=,.@-]*")
    if duration_seconds is not None and (isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int)
                                         or duration_seconds < MIN_DURATION):
        raise _constraint(duration_seconds, "durationSeconds",
                          f"Member must have value greater than or equal to {MIN_DURATION}")
    if external_id is not None and (not isinstance(external_id, str) or not _EXTERNAL_ID.fullmatch(external_id)):
        raise _constraint("***", "externalId", r"Member must have length between 2 and 1224 and satisfy regular "
                          r"expression pattern: [\w+=,.@:\/-]*")
    if (serial_number is None) != (token_code is None):
        raise ValidationError("serial_number and token_code must be given together: the MFA device's serial "
                              "number and its current six-digit code.")
    if serial_number is not None and (not isinstance(serial_number, str) or not mfa.SERIAL_NUMBER.fullmatch(serial_number)):
        raise _constraint(serial_number, "serialNumber", "Member must have length between 9 and 256")
    if token_code is not None and (not isinstance(token_code, str) or not mfa.TOKEN_CODE.fullmatch(token_code)):
        raise _constraint("***", "tokenCode", r"Member must satisfy regular expression pattern: [\d]*, six digits")
    if source_identity is not None and (not isinstance(source_identity, str)
                                        or not _SESSION_NAME.fullmatch(source_identity)):
        raise _constraint(source_identity, "sourceIdentity",
                          r"Member must have length between 2 and 64 and satisfy regular expression pattern: "
                          r"[\w+=,.@-]*")


def _transitive_keys(tag_map: dict[str, str], keys: list[str] | None) -> list[str]:
    """TransitiveTagKeys name session tags of the same request (tag keys compare case-insensitively)."""
    by_lower = {key.lower(): key for key in tag_map}
    chosen: list[str] = []
    for key in keys or []:
        if not isinstance(key, str) or key.lower() not in by_lower:
            raise ValidationError(f"The transitive tag key {str(key)[:128]} is not a session tag of this request: "
                                  "TransitiveTagKeys must name keys given in Tags.")
        if by_lower[key.lower()] not in chosen:
            chosen.append(by_lower[key.lower()])
    return chosen


def _role_for(caller: Caller, role_arn: str) -> Role:
    """The role an ARN names, in the account the ARN names (any account of the directory). Unknown roles and
    accounts are refused like untrusting ones, so neither roles nor accounts can be discovered."""
    match = _ROLE_ARN.fullmatch(role_arn)
    if match is None:
        raise ValidationError(f"{role_arn[:80]} is invalid: expected arn:aws:iam::<account>:role/<path><name>")
    if match["partition"] != settings.IAM_PARTITION:
        raise _denied(caller, role_arn)
    role = Role.objects.filter(account_id=match["account"], role_name_key=match["name"].lower(),
                               path=match["path"]).first()
    if role is None:
        raise _denied(caller, role_arn)
    return role


def _session_policies(account_id: str, policy: str | None, policy_arns: list[str] | None) -> tuple[list[str], int]:
    """The session policy documents (inline first) and the size they pack to. Managed session policies are the
    role's account's (or AWS-managed), as AWS requires."""
    documents: list[str] = []
    packed = 0
    if policy is not None:
        if isinstance(policy, str) and non_whitespace_length(policy) > SESSION_POLICY_MAX:
            raise _constraint("…", "policy", f"Member must have length less than or equal to {SESSION_POLICY_MAX}")
        documents.append(checked_document(policy, size_limit=SESSION_POLICY_MAX))
        packed += non_whitespace_length(policy)
    arns = list(policy_arns or [])
    if len(arns) > SESSION_POLICY_ARNS_MAX:
        raise _constraint(f"{len(arns)} ARNs", "policyArns",
                          f"Member must have length less than or equal to {SESSION_POLICY_ARNS_MAX}")
    for arn in arns:
        managed = policy_by_arn(account_id, arn)
        documents.append(managed.versions.get(is_default_version=True).document)
        packed += len(arn)
    return documents, packed


def _trust_allows(role: Role, action: str, caller: Caller, principal_arn: str, context: dict):
    """The role's trust policy for a principal; an account principal ("AWS": "<account>" or its root ARN) admits
    the principals of that account, the caller's."""
    policy_id, version = trust_policy_key(role)
    trust = compile_policy(role.assume_role_policy_document, policy_id, version)
    decision = evaluate_resource_policy(trust, Request(action, role.arn, context), principal_arn=principal_arn,
                                        account_id=getattr(caller.principal, "account_id", None))
    if not decision.allowed:
        return decision
    # The resource control policies of the role's account cap whoever assumes it, federated identities included.
    principal = caller.principal
    has_policies = callable(getattr(principal, "policy_set", None))  # a federated identity has none
    own = policy_set_for(principal).guardrails if has_policies else None
    same_account = has_policies and getattr(principal, "account_id", None) == role.account_id
    guardrails = own if same_account else account_guardrails(role.account_id)
    if guardrails is not None and guardrails.rcps:
        keys = organization_context(context, own, role.arn) if own is not None else context
        capped = evaluate_guardrails(Request(action, role.arn, keys), rcps=guardrails.rcps,
                                     principal_arn=principal_arn)
        if not capped.allowed:
            return capped
    return decision


def _check_permission(caller: Caller, role: Role, action: str, context: dict, extra: dict) -> None:
    """The trust policy must allow; when it trusts the whole account, or the role is another account's, so must
    the caller's own policies (AWS's cross-account rule: both sides allow).

    An explicit Deny in the caller's policies wins even when the trust policy names the caller, as in AWS.
    """
    check_session_scope(caller, action, role.arn)
    decision = _trust_allows(role, action, caller, caller.principal.arn, context)
    if not decision.allowed:
        why = ""
        if getattr(decision, "policy_type", None) == "rcp":
            why = (" with an explicit deny in a resource control policy" if decision.decision == EXPLICIT_DENY
                   else f" because no resource control policy allows the {action} action")
        record_decision(caller, action, False)
        raise AccessDenied(f"User: {caller.principal.arn} is not authorized to perform: {action} on resource: "
                           f"{role.arn}{why}")
    if decision.via_account_root or role.account_id != caller.account_id:
        authorize_caller(caller, action, role.arn, extra)  # records the decision itself
        return
    own = decide(caller.principal, action, role.arn, context)
    if own.policy_type == "scp" and not own.allowed:
        authorize_caller(caller, action, role.arn, extra)  # refused (and recorded) in the words every door uses
    elif own.decision == EXPLICIT_DENY:
        record_decision(caller, action, False)
        raise AccessDenied(f"User: {caller.principal.arn} is not authorized to perform: {action} on resource: "
                           f"{role.arn} with an explicit deny in an identity-based policy")
    else:
        record_decision(caller, action, True)


@iam_operation("AssumeRole", audit_reads=True, event_source=STS, needs_permission=False)
def assume_role(*, caller: Caller, role_arn: str, role_session_name: str, duration_seconds: int | None = None,
                policy: str | None = None, policy_arns: list[str] | None = None, external_id: str | None = None,
                serial_number: str | None = None, token_code: str | None = None,
                source_identity: str | None = None, tags: list[dict] | None = None,
                transitive_tag_keys: list[str] | None = None) -> AssumedRole:
    _check_inputs(role_arn, role_session_name, duration_seconds, external_id, serial_number, token_code,
                  source_identity)
    tag_map = validate_tags(tags or [])
    if len(tag_map) > SESSION_TAGS_MAX:
        raise _constraint(f"{len(tag_map)} tags", "tags", f"Member must have length less than or equal to "
                                                          f"{SESSION_TAGS_MAX}")
    principal = caller.principal
    parent = principal.session if isinstance(principal, RoleSessionPrincipal) else None
    # GetSessionToken's credentials assume roles as their user (with the session's MFA sign-in, via the caller).
    acting_user = principal.user if isinstance(principal, UserSessionPrincipal) else principal
    if not isinstance(acting_user, (User, RoleSessionPrincipal)) or principal.is_root:
        raise AccessDenied("Roles may not be assumed by root accounts.")
    now = timezone.now()
    mfa_at = caller.mfa_authenticated_at or (parent.mfa_authenticated_at if parent else None)
    if serial_number is not None:
        user = acting_user if isinstance(acting_user, User) else None
        if not mfa.verify_code(user, serial_number, token_code or "", client=caller.source_ip):
            raise AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.")
        mfa_at = now
    # After the code: a wrong code is told alike for roles that exist and roles that do not.
    role = _role_for(caller, role_arn)
    transitive = _transitive_keys(tag_map, transitive_tag_keys)
    if parent is not None and parent.transitive_tag_keys:
        inherited = {key: parent.session_tags[key] for key in parent.transitive_tag_keys if key in parent.session_tags}
        clash = sorted(key for key in tag_map if key.lower() in {name.lower() for name in inherited})
        if clash:
            raise ValidationError(f"The session tag {clash[0]} is a transitive tag of the calling session and "
                                  "cannot be set again in a role chain.")
        tag_map = {**inherited, **tag_map}
        transitive = list(inherited) + [key for key in transitive if key not in inherited]
    if parent is not None and parent.source_identity:
        if source_identity and source_identity != parent.source_identity:
            raise AccessDenied("The source identity of a role chain cannot be changed: it was set to "
                               f"{parent.source_identity} when the first role was assumed.")
        source_identity = parent.source_identity

    extra: dict = {"sts:RoleSessionName": role_session_name}
    if external_id is not None:
        extra["sts:ExternalId"] = external_id
    if source_identity:
        extra["sts:SourceIdentity"] = source_identity
    if tag_map:
        extra.update({f"aws:RequestTag/{key}": value for key, value in tag_map.items()})
        extra["aws:TagKeys"] = list(tag_map)
    if mfa_at is not None:
        extra["aws:MultiFactorAuthPresent"] = True
        extra["aws:MultiFactorAuthAge"] = int((now - mfa_at).total_seconds())
    context = caller.condition_context(extra)

    _check_permission(caller, role, "sts:AssumeRole", context, extra)
    if tag_map:
        _check_permission(caller, role, "sts:TagSession", context, extra)
    if source_identity and (parent is None or not parent.source_identity):
        _check_permission(caller, role, "sts:SetSourceIdentity", context, extra)

    duration = DEFAULT_DURATION if duration_seconds is None else duration_seconds
    if parent is not None and duration > CHAINED_MAX_DURATION:
        raise ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
                              "by role chaining.")
    if duration > role.max_session_duration:
        raise ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")

    documents, packed = _session_policies(role.account_id, policy, policy_arns)
    packed += sum(len(key) + len(value) for key, value in tag_map.items())
    packed_percent = math.ceil(packed * 100 / PACKED_BUDGET) if packed else 0
    if packed_percent > 100:
        raise PackedPolicyTooLarge(f"Packed policy consumes {packed_percent}% of allotted space, please use smaller "
                                   "policy for request.")

    if role.account_id != caller.account_id:
        # The role's account sees who came into it: the event is on record on both sides, as in AWS.
        record_event(caller=caller, event_name="AssumeRole", event_source=STS, account_id=role.account_id,
                     request_parameters={"role_arn": role.arn, "role_session_name": role_session_name},
                     resources=[role.arn])
    return issue_session(role=role, session_name=role_session_name, issued_at=now, duration=duration,
                         caller_arn=principal.arn,
                         source_user=acting_user if isinstance(acting_user, User) else parent.source_user,
                         source_identity=source_identity or "", session_policies=documents, session_tags=tag_map,
                         transitive_tag_keys=transitive, chained=parent is not None, mfa_authenticated_at=mfa_at,
                         packed_policy_size=packed_percent)


def issue_session(*, role: Role, session_name: str, issued_at: datetime, duration: int, caller_arn: str,
                  source_user: User | None = None, source_identity: str = "", session_policies: list[str] = (),
                  session_tags: dict[str, str] | None = None, transitive_tag_keys: list[str] = (),
                  chained: bool = False,
                  mfa_authenticated_at: datetime | None = None, federated_provider: str = "",
                  packed_policy_size: int = 0) -> AssumedRole:
    """Create a role session whose caller has passed every check; its secret and token exist only in the result."""
    access_key_id = identifiers.new_access_key_id(identifiers.SESSION_KEY_PREFIX)
    nonce = new_secret_nonce()
    token = new_session_token()
    session = RoleSession.objects.create(
        access_key_id=access_key_id, secret_nonce=nonce, token_digest=token_digest(token), role=role,
        session_name=session_name, source_identity=source_identity, session_policies=list(session_policies),
        session_tags=session_tags or {}, transitive_tag_keys=list(transitive_tag_keys), issued_at=issued_at,
        expiration=issued_at + timedelta(seconds=duration), caller_arn=caller_arn[:2048], source_user=source_user,
        chained=chained, mfa_authenticated_at=mfa_authenticated_at, federated_provider=federated_provider)
    # RoleLastUsed: written at most once a minute per role, so a burst of AssumeRole does not contend on one row
    # (the row we read decides whether to try; the WHERE keeps concurrent writers from repeating it).
    stale = issued_at - timedelta(minutes=1)
    if role.last_used_date is None or role.last_used_date < stale:
        Role.objects.filter(pk=role.pk).filter(Q(last_used_date__isnull=True) | Q(last_used_date__lt=stale)
                                              ).update(last_used_date=issued_at)
    operation = _operation_action("sts:AssumeRole")
    transaction.on_commit(lambda: metrics.session_issued(operation))
    return AssumedRole(session=session, secret_access_key=derive_session_secret(access_key_id, nonce),
                       session_token=token, packed_policy_size=packed_policy_size)


def _operation_action(default: str) -> str:
    """The IAM action of the operation issuing a session (AssumeRole, …WithWebIdentity, …WithSAML, a console
    sign-in through an IdP), for the metrics."""
    running = running_operation()
    return running.action if running is not None and running.action else default


USER_SESSION_MIN = 900
USER_SESSION_DEFAULT = 43200
USER_SESSION_MAX = 129600
ROOT_SESSION_MAX = 3600


@dataclass(frozen=True)
class SessionCredentials:
    """GetSessionToken's result. The secret and the token exist only here: shown once, never stored."""

    session: UserSession
    secret_access_key: str
    session_token: str

    @property
    def access_key_id(self) -> str:
        return self.session.access_key_id

    @property
    def expiration(self) -> datetime:
        return self.session.expiration

    def audit_elements(self) -> dict:
        return {"accessKeyId": self.access_key_id, "expiration": self.expiration.isoformat(),
                "mfaAuthenticated": self.session.mfa_authenticated_at is not None}


@iam_operation("GetSessionToken", audit_reads=True, event_source=STS, needs_permission=False)
def get_session_token(*, caller: Caller, duration_seconds: int | None = None, serial_number: str | None = None,
                      token_code: str | None = None) -> SessionCredentials:
    """Temporary credentials for the calling IAM user, MFA-authenticated when a device code is given.

    As in AWS: only long-term credentials may ask (not session credentials), a root user's session lasts at
    most an hour, and without MFA the session may not call IAM at all (UserSessionPrincipal.refuses).
    """
    principal = caller.principal
    if not isinstance(principal, User):
        raise AccessDenied("Cannot call GetSessionToken with session credentials")
    limit = ROOT_SESSION_MAX if principal.is_root else USER_SESSION_MAX
    duration = USER_SESSION_DEFAULT if duration_seconds is None else duration_seconds
    if isinstance(duration, bool) or not isinstance(duration, int) or not USER_SESSION_MIN <= duration:
        raise _constraint(duration, "durationSeconds", f"Member must have value greater than or equal to "
                                                       f"{USER_SESSION_MIN}")
    if duration > USER_SESSION_MAX:
        raise _constraint(duration, "durationSeconds", f"Member must have value less than or equal to "
                                                       f"{USER_SESSION_MAX}")
    duration = min(duration, limit)
    if (serial_number is None) != (token_code is None):
        raise ValidationError("SerialNumber and TokenCode must be given together: the MFA device's serial number "
                              "and its current six-digit code.")
    now = timezone.now()
    mfa_at = None
    if serial_number is not None:
        if not mfa.verify_code(principal, serial_number, token_code or "", client=caller.source_ip):
            raise AccessDenied("MultiFactorAuthentication failed with invalid MFA one time pass code.")
        mfa_at = now
    access_key_id = identifiers.new_access_key_id(identifiers.SESSION_KEY_PREFIX)
    nonce = new_secret_nonce()
    token = new_session_token()
    session = UserSession.objects.create(access_key_id=access_key_id, secret_nonce=nonce,
                                         token_digest=token_digest(token), user=principal, issued_at=now,
                                         expiration=now + timedelta(seconds=duration), mfa_authenticated_at=mfa_at)
    transaction.on_commit(lambda: metrics.session_issued("sts:GetSessionToken"))
    return SessionCredentials(session=session, secret_access_key=derive_session_secret(access_key_id, nonce),
                              session_token=token)


@dataclass(frozen=True)
class CallerIdentity:
    user_id: str
    account: str
    arn: str


def get_caller_identity(*, caller: Caller) -> CallerIdentity:
    """Who the caller is. Like AWS, it needs no permission and an explicit Deny cannot stop it."""
    principal = caller.principal
    check_session_scope(caller, "sts:GetCallerIdentity", "*")
    account = caller.account_id
    if principal.is_root:
        return CallerIdentity(user_id=account, account=account, arn=identifiers.root_arn(account))
    return CallerIdentity(user_id=principal.unique_id, account=account, arn=principal.arn)


def get_access_key_info(*, caller: Caller, access_key_id: str) -> str:
    """The account an access key id belongs to. As in AWS it needs no permission and says nothing about the
    key's state; an id no key or session holds answers with the caller's own account."""
    owner = (AccessKey.objects.filter(access_key_id=access_key_id).values_list("user__account_id", flat=True)
             .first()
             or RoleSession.all_objects.filter(access_key_id=access_key_id).values_list("role__account_id", flat=True)
             .first()
             or UserSession.all_objects.filter(access_key_id=access_key_id).values_list("user__account_id", flat=True)
             .first()) if isinstance(access_key_id, str) else None
    return owner or caller.account_id


@dataclass(frozen=True)
class Revocation:
    revoked_before: datetime
    sessions: int

    def audit_elements(self) -> dict:
        return {"revokedBefore": self.revoked_before.isoformat(), "sessions": self.sessions}


@iam_operation("RevokeRoleSessions")
def revoke_role_sessions(*, caller: Caller, role_name: str) -> Revocation:
    """Every session of the role issued before now is refused from its next request on."""
    role = lookups.role_by_name(caller.account_id, role_name, for_update=True)
    authorize_caller(caller, "iam:RevokeRoleSessions", role.arn)
    lookups.refuse_protected(role)
    cutoff = timezone.now()
    Role.objects.filter(pk=role.pk).update(sessions_revoked_before=cutoff)
    live = RoleSession.objects.filter(role=role, issued_at__lt=cutoff, revoked=False).count()
    return Revocation(revoked_before=cutoff, sessions=live)


@iam_operation("RevokeUserSessions")
def revoke_user_sessions(*, caller: Caller, user_name: str) -> Revocation:
    """Every live role session that a user started (directly or through role chaining) ends now."""
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:RevokeUserSessions", user.arn)
    cutoff = timezone.now()
    count = RoleSession.objects.filter(source_user=user, revoked=False).update(revoked=True)
    count += UserSession.objects.filter(user=user, revoked=False).update(revoked=True)
    return Revocation(revoked_before=cutoff, sessions=count)


def purge_expired_sessions(*, now: datetime | None = None) -> int:
    """Delete the rows of sessions that have expired (the scheduled job); returns how many."""
    now = now or timezone.now()
    deleted, _ = RoleSession.all_objects.filter(expiration__lte=now).delete()
    deleted += UserSession.all_objects.filter(expiration__lte=now).delete()[0]
    if deleted:
        logger.info("purged %d expired role sessions", deleted)
    # SAML assertions past their NotOnOrAfter (plus the skew) can no longer be replayed: forget them too.
    skew = timedelta(seconds=settings.IAM_FEDERATION_CLOCK_SKEW_SECONDS)
    SeenAssertion.objects.filter(not_on_or_after__lt=now - skew).delete()
    return deleted


def session_principal(access_key_id: str) -> RoleSessionPrincipal:
    """The live session of an access key id, for the console's Switch role; ExpiredToken when it has ended.

    One query joining the session and its role, so a revocation is seen on the very next request.
    """
    session = RoleSession.all_objects.select_related("role").filter(access_key_id=access_key_id).first()
    if session is None:
        raise InvalidClientTokenId(INVALID_TOKEN_MESSAGE)
    check_session_live(session)
    return RoleSessionPrincipal(session)


def check_session_live(session: RoleSession) -> None:
    if session.is_expired:
        raise ExpiredToken(EXPIRED_MESSAGE)
    if session.is_revoked():
        raise ExpiredToken(REVOKED_MESSAGE)

