"""What attaching an SCP would change, before it is attached: which principals of which accounts would lose which
actions they used in the last 90 days.

The actions used are read from the audit trail (every operation's successful event names its principal, its account
and its action) and from the last-accessed evidence (every decision allowed, those for registered services
included), through the frame's usage reader. Each (principal, action) of each account under the target is decided
by the SCPs along the account's path as they are, and again with the policy added at the target; those allowed
before and refused after are what the attachment would take away. Decisions are made on the action alone (any
resource, no request condition), as neither source keeps more: a statement whose conditions depend on the request
is counted as it matches without them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from accounts.models import Account, OrganizationalUnit, PolicyAttachment
from audit.models import AuditEvent
from iam_console.callers import Caller
from iam_console.decision_record import allowed_uses
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import PolicyTypeNotEnabledException, invalid_input
from organizations.services.nodes import target_kind
from organizations.services.policies import describe_policy
from policies.authorization import authorize_caller
from policies.language import GuardrailLevel, Request, compile_policy, evaluate_guardrails

LOOKBACK_DAYS = 90
MAX_USES = 5000  # distinct (account, principal, action) read: enough for a preview, bounded


@dataclass(frozen=True)
class Loss:
    account_id: str
    account_name: str
    principal_arn: str
    action: str
    last_used: object
    reason: str


@dataclass(frozen=True)
class Impact:
    policy_id: str
    target_id: str
    accounts: list[Account]  # the member accounts under the target (the management account is exempt)
    losses: list[Loss]
    uses_read: int
    truncated: bool


def _accounts_under(organization, target_id: str, kind: str) -> list[Account]:
    members = Account.objects.filter(organization=organization).exclude(pk=organization.management_account_id)
    if kind == "ROOT":
        return list(members)
    if kind == "ACCOUNT":
        return list(members.filter(pk=target_id))
    units, frontier = {target_id}, [target_id]
    while frontier:
        frontier = list(OrganizationalUnit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        units.update(frontier)
    return list(members.filter(parent_unit_id__in=units))


def _uses(account_ids: list[str], since) -> tuple[list[tuple[tuple[str, str, str], object]], bool]:
    """((account, principal, action), last use) from the audit trail and the last-accessed evidence together, and
    whether the bound cut some off."""
    found: dict[tuple[str, str, str], object] = {}
    trail = (AuditEvent.objects.filter(account_id__in=account_ids, event_time__gte=since,
                                       outcome=AuditEvent.Outcome.SUCCESS).exclude(actor_arn="")
             .values_list("account_id", "actor_arn", "event_source", "event_name")
             .annotate(last=Max("event_time")).order_by("-last")[:MAX_USES + 1])
    for account_id, actor_arn, event_source, event_name, last in trail:
        found[(account_id, actor_arn, f"{event_source.split('.', 1)[0]}:{event_name}")] = last
    for account_id, actor_arn, action, last in allowed_uses(account_ids, since):
        key = (account_id, actor_arn, action)
        if key not in found or found[key] < last:
            found[key] = last
    ordered = sorted(found.items())
    return ordered[:MAX_USES], len(ordered) > MAX_USES or len(trail) > MAX_USES


def _path(organization, account: Account) -> list[tuple[str, str]]:
    path, unit = [], account.parent_unit
    while unit is not None:
        path.insert(0, ("ou", unit.id))
        unit = unit.parent
    return [("root", organization.root_id), *path, ("account", account.pk)]


@iam_operation("ListPoliciesForTarget", event_source=EVENT_SOURCE)
def attachment_impact(*, caller: Caller, policy_id: str, target_id: str) -> Impact:
    """Authorized as AttachPolicy would be (the caller must be able to make the change it previews) and as reading
    the audit trail (cloudtrail:LookupEvents)."""
    organization = organization_for(caller, "AttachPolicy", lambda org: identifiers.policy_arn(
        org, policy_id, "service_control_policy"))
    policy = describe_policy(caller=caller, policy_id=policy_id).policy
    kind = target_kind(organization, target_id)
    if policy.policy_type != "SERVICE_CONTROL_POLICY":
        raise invalid_input("INVALID_INPUT", "Only an SCP's effect on the actions principals used can be previewed.")
    if policy.policy_type not in organization.enabled_policy_types:
        raise PolicyTypeNotEnabledException()
    authorize_caller(caller, "cloudtrail:LookupEvents", "*")
    accounts = {account.pk: account for account in _accounts_under(organization, target_id, kind)}
    uses, truncated = _uses(list(accounts), timezone.now() - timedelta(days=LOOKBACK_DAYS))
    attached: dict[str, list] = {}
    for attachment in PolicyAttachment.objects.filter(policy_type="SERVICE_CONTROL_POLICY").select_related("policy"):
        attached.setdefault(attachment.target_id, []).append(
            compile_policy(attachment.policy.content, attachment.policy.id, str(attachment.policy.version)))
    added = compile_policy(policy.content, policy.id, str(policy.version))
    losses = []
    levels_of: dict[str, tuple[list[GuardrailLevel], list[GuardrailLevel]]] = {}
    for (account_id, actor_arn, action), last in uses:
        account = accounts[account_id]
        if account_id not in levels_of:
            path = _path(organization, account)
            before = [GuardrailLevel(level, node, tuple(attached.get(node, ()))) for level, node in path]
            after = [GuardrailLevel(level, node, tuple(attached.get(node, ())) + ((added,) if node == target_id
                                                                                 else ())) for level, node in path]
            levels_of[account_id] = (before, after)
        before, after = levels_of[account_id]
        request = Request(action, "*")
        if not evaluate_guardrails(request, scps=before, principal_arn=actor_arn).allowed:
            continue
        decision = evaluate_guardrails(request, scps=after, principal_arn=actor_arn)
        if not decision.allowed:
            losses.append(Loss(account_id, account.name, actor_arn, action, last, decision.reason))
    return Impact(policy.id, target_id, sorted(accounts.values(), key=lambda a: a.name), losses, len(uses), truncated)

