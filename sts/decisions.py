"""Decisions for other services: who signed their caller's request, and may that principal do what it asks.

An organisation's own services forward a caller's signature material and the action and resource the request
means; the directory verifies the signature (sts.verification), evaluates the principal's policies with the same
authorize() machinery it uses for itself, optionally together with a resource-based policy the service holds
(as S3 evaluates a bucket policy), and records the decision in the audit trail under the service's name.

Asking is itself governed: the service's own identity needs `iam:AuthorizeRequest` on
`arn:aws:iam::<account>:service/<prefix>` (its own account) for the service whose actions it asks about, and may
verify only requests signed for a signing name it holds that permission on (never the directory's own, iam and
sts). A decision answers the decision; what else a service learns about the principal is each behind its own
permission (sts.disclosure). A principal that does not exist is decided like one with no permissions.

The asking service's account owns the resources it decides about. A principal of another account of the directory
is decided by AWS's cross-account rule: its identity policies AND the resource policy the service supplies must
both allow; with no resource policy, nothing of another account is allowed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils import timezone

from audit.services import record_decision, record_event, recorded_together
from directory.models import User
from directory.policy_sets import with_generation
from iam_console import decision_record, identifiers
from iam_console.errors import AccessDenied, IAMError, InvalidInput, LimitExceeded, ValidationError
from policies.authorization import (
    Caller,
    attempt_refusal,
    authorize_caller,
    organization_context,
    policy_set_for,
)
from policies.documents import checked_document
from policies.guardrail_loading import account_guardrails
from policies.language import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    Request,
    compile_policy,
    evaluate,
    evaluate_guardrails,
    evaluate_resource_policy,
)
from policies.language.actions import BUILTIN_SERVICES as DIRECTORY_SERVICES
from policies.loading import PolicySet
from sts.disclosure import Disclosure, UnknownPrincipal
from sts.models import RoleSession
from sts.principals import RoleSessionPrincipal, UserSessionPrincipal
from sts.verification import SignedBy, authenticate_signed, forwarded_request

MAX_BATCH = 30
RESOURCE_POLICY_LIMIT = 20480  # an S3 bucket policy's 20 KB, the largest resource policy AWS has
# What AWS services accept in the resource policies they store though IAM would refuse it: advice, not a refusal
# (an Allow with NotPrincipal grants everyone it does not name; discouraged, but legal in an S3 bucket policy).
SERVICE_RESOURCE_POLICY_ADVICE = frozenset({"ALLOW_WITH_NOT_PRINCIPAL"})
_ACTION = re.compile(r"(?P<service>[a-z0-9][a-z0-9-]{0,63}):(?P<name>[A-Za-z0-9_-]{1,128})")
_USER_ARN = re.compile(r"arn:[\w-]+:iam::(?P<account>\d{12}):user(?P<path>/(?:[\x21-\x7e]*/)?)(?P<name>[\w+=,.@-]{1,64})")
_ROOT_ARN = re.compile(r"arn:[\w-]+:iam::(?P<account>\d{12}):root")
_SESSION_ARN = re.compile(r"arn:[\w-]+:sts::(?P<account>\d{12}):assumed-role/(?P<role>[\w+=,.@-]{1,64})/"
                          r"(?P<session>[\w+=,.@-]{2,64})")


def service_arn(account_id: str, prefix: str) -> str:
    return identifiers.iam_arn(account_id, f"service/{prefix}")


# --- who ----------------------------------------------------------------------------------------------------
Principal = User | RoleSessionPrincipal | UserSessionPrincipal | UnknownPrincipal


def resolve_principal(principal_arn: object) -> Principal:
    """The principal an ARN names: an IAM user, the root user, or the newest live session of a role session ARN.

    An ARN of the right form that names nobody here (an unknown user, an account the directory does not hold, an
    ended session) is an UnknownPrincipal, decided like a principal with no permissions: the answer never tells
    whether it exists."""
    if not isinstance(principal_arn, str) or len(principal_arn) > 2048:
        raise ValidationError("principal_arn must be a user, root or assumed-role ARN")
    if match := _USER_ARN.fullmatch(principal_arn):
        user = with_generation(User.objects.filter(account_id=match["account"], user_name_key=match["name"].lower(),
                                                   path=match["path"], is_superuser=False)).first()
        return user or UnknownPrincipal(principal_arn, "user", match["account"])
    if match := _ROOT_ARN.fullmatch(principal_arn):
        root = User.objects.root_of(match["account"])
        return root or UnknownPrincipal(principal_arn, "root", match["account"])
    if match := _SESSION_ARN.fullmatch(principal_arn):
        session = (RoleSession.objects.select_related("role")
                   .filter(role__account_id=match["account"], role__role_name__iexact=match["role"],
                           session_name=match["session"], expiration__gt=timezone.now(), revoked=False)
                   .order_by("-issued_at").first())
        if session is None or session.is_revoked():
            return UnknownPrincipal(principal_arn, "assumed-role", match["account"])
        return RoleSessionPrincipal(session)
    raise InvalidInput(f"{principal_arn} is not a principal this directory can decide for: give a user ARN "
                       "(arn:aws:iam::<account>:user/<name>), the root ARN or an assumed-role session ARN.")


# --- what ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionRequest:
    action: str
    resource: str
    context: Mapping[str, Any] = field(default_factory=dict)
    resource_policy: str | None = None

    @property
    def service_prefix(self) -> str:
        return self.action.split(":", 1)[0].lower()


def decision_request(body: Mapping[str, Any]) -> DecisionRequest:
    """Check one request's action, resource, context and resource policy; ValidationError says what to fix."""
    if not isinstance(body, Mapping):
        raise ValidationError("each decision request must be an object with action and resource")
    action = body.get("action")
    if not isinstance(action, str) or not _ACTION.fullmatch(action):
        raise ValidationError("action must be <service prefix>:<ActionName>, e.g. docs:GetDocument")
    resource = body.get("resource", "*")
    if not isinstance(resource, str) or not resource or len(resource) > 2048 or "\x00" in resource:
        raise ValidationError("resource must be an ARN (or *) of at most 2048 characters")
    context = body.get("context") or {}
    if not isinstance(context, Mapping) or len(context) > 100:
        raise ValidationError("context must be an object of at most 100 condition keys")
    for key, value in context.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 256:
            raise ValidationError("context keys must be condition key names such as docs:Classification")
        values = value if isinstance(value, list) else [value]
        if len(values) > 100 or not all(isinstance(v, str | int | float | bool) for v in values):
            raise ValidationError(f"context value of {key} must be a string, number, boolean or a list of them")
    policy = body.get("resource_policy")
    if policy is not None:
        if isinstance(policy, Mapping):
            policy = json.dumps(policy)
        if not isinstance(policy, str):
            raise ValidationError("resource_policy must be a policy document (JSON object or string)")
        checked_document(policy, size_limit=RESOURCE_POLICY_LIMIT, policy_type="RESOURCE_POLICY",
                         tolerated=SERVICE_RESOURCE_POLICY_ADVICE)
    return DecisionRequest(action=action, resource=resource, context=dict(context), resource_policy=policy)


@dataclass(frozen=True)
class DecisionResult:
    decision: str
    matched_statements: list[dict[str, Any]]
    principal: dict[str, Any]

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    def as_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "allowed": self.allowed, "matched_statements": self.matched_statements,
                "principal": self.principal}


def evaluate_for_service(signer_caller: Caller, request: DecisionRequest, disclosure: Disclosure,
                         policy_set: PolicySet | None = None, *, resource_account: str | None = None) \
        -> tuple[str, list[dict[str, Any]]]:
    """AWS's evaluation for a request to another service: identity policies (capped by the boundary and session
    policies), and, when the service supplies one, its resource-based policy. The resource is of
    `resource_account` (the asking service's; the principal's own when None): in the principal's own account
    either policy may allow, across accounts both must. The matched statements are those the asking service may
    read. A batch passes the principal's policy set it has loaded."""
    principal = signer_caller.principal
    context = signer_caller.condition_context(request.context)
    principal_account = principal.account_id
    resource_account = resource_account or principal_account
    context.setdefault("aws:ResourceAccount", resource_account)
    policy_set = policy_set if policy_set is not None else policy_set_for(principal)
    guardrails = policy_set.guardrails
    if guardrails is not None:
        context = organization_context(context, guardrails, request.resource)
    evaluated = Request(request.action, request.resource, context)
    # The organization's guardrails: the SCPs of the principal's account, the RCPs of the resource's account.
    theirs = guardrails if resource_account == principal_account else account_guardrails(resource_account)
    scps = guardrails.scps if guardrails is not None else ()
    rcps = theirs.rcps if theirs is not None else ()
    guarded = evaluate_guardrails(evaluated, scps=scps, rcps=rcps, principal_arn=principal.arn) \
        if scps or rcps else None
    if principal.is_root:
        identity, sources = Decision(ALLOWED, (), "the root user is allowed everything"), {}
    else:
        identity = evaluate(evaluated, policy_set.identity, boundary_policies=policy_set.boundary or None,
                            session_policies=policy_set.session or None)
        sources = policy_set.sources
    if guarded is not None and not guarded.allowed and identity.decision != EXPLICIT_DENY:
        return guarded.decision, disclosure.statements(principal, guarded.matched_statements, {})
    statements = disclosure.statements(principal, identity.matched_statements, sources)
    cross_account = resource_account != principal_account
    if request.resource_policy is None:
        if cross_account and identity.decision != EXPLICIT_DENY:
            return IMPLICIT_DENY, statements  # another account's resource: only its resource policy can let in
        return identity.decision, statements
    compiled = compile_policy(request.resource_policy, "resource-policy",
                              hashlib.sha256(request.resource_policy.encode()).hexdigest())
    resource = evaluate_resource_policy(compiled, evaluated, principal_arn=principal.arn,
                                        account_id=principal_account)
    statements += disclosure.statements(principal, resource.matched_statements, {})
    if EXPLICIT_DENY in (identity.decision, resource.decision):
        return EXPLICIT_DENY, statements
    if cross_account:
        return (ALLOWED if identity.allowed and resource.allowed else IMPLICIT_DENY), statements
    # Same account: a resource policy naming the principal itself grants on its own; one that trusts only the
    # account (its root) delegates to the identity policies, which must then allow too.
    if resource.allowed and not resource.via_account_root:
        return ALLOWED, statements
    return (ALLOWED if identity.allowed else IMPLICIT_DENY), statements


def _audit(service_caller: Caller, signer_caller: Caller, request: DecisionRequest, verdict: str) -> None:
    """Every decision is on record under the asking service's name, as done by the principal who asked it."""
    decision_record.record_decision(signer_caller, request.action, verdict == ALLOWED)  # last accessed
    record_decision(caller=signer_caller, service=request.service_prefix, action=request.action,
                    resource=request.resource, decision=verdict, decided_for=service_caller.principal.arn,
                    resource_policy=request.resource_policy is not None)


def _may_ask_at_all(service_caller: Caller) -> None:
    """A caller that no policy allows to ask about any service is refused before its request is read, as the
    operation frame refuses the callers of IAM operations."""
    refusal = attempt_refusal(service_caller, "iam:AuthorizeRequest")
    if refusal is not None:
        record_event(caller=service_caller, event_name="AuthorizeRequest", request_parameters={},
                     error_code=refusal.code, error_message=refusal.message)
        raise refusal


def _may_ask(service_caller: Caller, prefix: str) -> None:
    """Only identities allowed iam:AuthorizeRequest on the service may ask about its requests; refusals are on
    record like any other."""
    try:
        authorize_caller(service_caller, "iam:AuthorizeRequest", service_arn(service_caller.account_id, prefix))
    except IAMError as error:
        record_event(caller=service_caller, event_name="AuthorizeRequest", request_parameters={"service": prefix},
                     error_code=error.code, error_message=error.message)
        raise


def _own_signing_name(service_caller: Caller, service: str) -> None:
    """The signing name must be the asking service's own: never the directory's, and one it may ask about."""
    if service in DIRECTORY_SERVICES:
        error = AccessDenied(f"{service} is the directory's own signing name: a service verifies only requests "
                             "signed for its own (e.g. docs), never requests signed for the directory itself.")
        record_event(caller=service_caller, event_name="VerifyRequestSignature", request_parameters={
            "service": service}, error_code=error.code, error_message=error.message)
        raise error
    _may_ask(service_caller, service)


def _as_principal(service_caller: Caller, principal: Principal) -> Caller:
    """The request context of the principal the decision is for: the service's connection, their identity."""
    return replace(service_caller, principal=principal, access_key_id="", mfa_authenticated_at=None, via="service")


def decide_for_principal(*, service_caller: Caller, principal_arn: object, body: Mapping[str, Any]) -> DecisionResult:
    """One decision: may `principal_arn` perform the action on the resource (IsAuthorized)."""
    _may_ask_at_all(service_caller)
    request = decision_request(body)
    _may_ask(service_caller, request.service_prefix)
    signer_caller = _as_principal(service_caller, resolve_principal(principal_arn))
    disclosure = Disclosure(service_caller)
    verdict, statements = evaluate_for_service(signer_caller, request, disclosure,
                                               resource_account=service_caller.account_id)
    _audit(service_caller, signer_caller, request, verdict)
    return DecisionResult(verdict, statements, disclosure.principal(signer_caller.principal))


def decide_batch(*, service_caller: Caller, requests: object) -> list[DecisionResult | IAMError]:
    """Up to 30 decisions at once (BatchIsAuthorized); a bad item answers its own error, not the batch's.

    Each principal is resolved and described once, and the asking service authorized once per service prefix.
    """
    _may_ask_at_all(service_caller)
    if not isinstance(requests, list) or not requests:
        raise ValidationError("requests must be a non-empty list of decision requests")
    if len(requests) > MAX_BATCH:
        raise LimitExceeded(f"A batch holds at most {MAX_BATCH} decision requests, not {len(requests)}.")
    results: list[DecisionResult | IAMError] = []
    callers: dict[str, tuple[Caller, dict[str, Any], PolicySet | None]] = {}
    asked: set[str] = set()
    disclosure = Disclosure(service_caller)
    with recorded_together():  # the batch's audit events: one INSERT and one commit, not thirty
        for item in requests:
            _decide_item(service_caller, item, results, callers, asked, disclosure)
    return results


def _decide_item(service_caller: Caller, item: object, results: list, callers: dict, asked: set,
                 disclosure: Disclosure) -> None:
    """One item of a batch; its error is its own answer."""
    try:
        request = decision_request(item)
        if request.service_prefix not in asked:
            _may_ask(service_caller, request.service_prefix)
            asked.add(request.service_prefix)
        arn = item.get("principal_arn")  # type: ignore[union-attr]  # decision_request checked it is a mapping
        if not isinstance(arn, str) or arn not in callers:
            principal = resolve_principal(arn)
            policy_set = None if principal.is_root else policy_set_for(principal)
            callers[arn] = (_as_principal(service_caller, principal), disclosure.principal(principal), policy_set)
        signer_caller, attributes, policy_set = callers[arn]
        verdict, statements = evaluate_for_service(signer_caller, request, disclosure, policy_set,
                                                   resource_account=service_caller.account_id)
        _audit(service_caller, signer_caller, request, verdict)
        results.append(DecisionResult(verdict, statements, attributes))
    except IAMError as error:
        results.append(error)


@dataclass(frozen=True)
class Verification:
    signed_by: SignedBy | None
    error: IAMError | None = None
    decision: DecisionResult | None = None
    principal: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        if self.signed_by is None:
            assert self.error is not None
            return {"verified": False, "error": {"code": self.error.code, "message": self.error.message}}
        return {"verified": True, "access_key_id": self.signed_by.access_key_id, "region": self.signed_by.region,
                "service": self.signed_by.service, "principal": self.principal,
                "decision": self.decision.as_dict() if self.decision else None}


def verify_request(*, service_caller: Caller, service: object, material: object,
                   authorize: Mapping[str, Any] | None = None) -> Verification:
    """Verify a caller's signature as forwarded by the service `service` (its SigV4 signing name), and with
    `authorize`, decide the request in the same call. The service learns who signed, never a secret.

    A service verifies only requests signed for its own signing name: one it holds iam:AuthorizeRequest on, and
    never the directory's own (iam, sts), whose signatures are the directory's credentials and not a service's."""
    _may_ask_at_all(service_caller)
    if not isinstance(service, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", service):
        raise ValidationError("service must be the signing name callers use, e.g. docs")
    if not isinstance(material, Mapping):
        raise ValidationError("request must hold method, path, query, headers and payload_sha256")
    if not isinstance(material.get("headers"), Mapping):
        raise ValidationError("request.headers must be an object of the signed headers as received")
    request = decision_request(authorize) if authorize is not None else None
    _own_signing_name(service_caller, service)
    if request is not None and request.service_prefix != service:
        _may_ask(service_caller, request.service_prefix)
    try:
        signed_by = authenticate_signed(forwarded_request(dict(material)), services=frozenset({service}))
    except IAMError as error:
        record_event(caller=service_caller, event_name="VerifyRequestSignature", event_source=service,
                     request_parameters={"service": service}, error_code=error.code, error_message=error.message)
        return Verification(None, error)
    disclosure = Disclosure(service_caller)
    attributes = disclosure.principal(signed_by.principal, signer=True)
    if request is None:
        return Verification(signed_by, principal=attributes)
    signer_caller = replace(service_caller, principal=signed_by.principal, access_key_id=signed_by.access_key_id,
                            mfa_authenticated_at=None, via="service")
    verdict, statements = evaluate_for_service(signer_caller, request, disclosure,
                                               resource_account=service_caller.account_id)
    _audit(service_caller, signer_caller, request, verdict)
    return Verification(signed_by, None, DecisionResult(verdict, statements, attributes), attributes)
