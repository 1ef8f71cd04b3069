"""Which principals outside a zone of trust a role's trust policy lets in: IAM Access Analyzer's external access
analysis of AWS::IAM::Role, over plain data (a policy text, the role's ARN, the zone, the RCP path).

For each Allow statement and each principal it names, the policy language's request search (access_search) looks
for a request by a principal outside the zone that the statement allows and no Deny refuses, and the evaluator
confirms it. Condition keys whose value the caller cannot choose (aws:PrincipalAccount, aws:PrincipalOrgID,
aws:PrincipalArn, aws:SourceAccount …) take only values an outsider can present, so a grant pinned to the zone is
no finding. Service principals are not external: a service acts for the account that configured it (IAM User
Guide, "IAM Access Analyzer findings"). A federated principal (an OIDC or SAML provider) is: its identities are
people and workloads outside the directory, limited only by the conditions reported with the finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from policies.language import GuardrailLevel, Request, evaluate_guardrails, evaluate_resource_policy
from policies.language.access_checks import check_no_public_access
from policies.language.access_model import (
    Stmt,
    _mask_of,
    current_catalogue,
    document_constraints,
    principal_of,
    principal_patterns,
)
from policies.language.access_search import SearchOptions, find_requests
from policies.language.arn import ACCOUNT_ID, parse_arn
from policies.language.compiler import compile_document
from policies.language.globs import Undecided, glob, pattern_glob, tokens
from policies.language.model import Statement
from policies.language.parser import parse_policy

from .zones import ZoneOfTrust

ROLE_RESOURCE_TYPE = "AWS::IAM::Role"
TRUST_POLICY_TYPE = "AWS::IAM::AssumeRolePolicyDocument"
# The actions a trust policy governs (IAM User Guide, "Role trust policies"), in the order findings list them.
TRUST_ACTIONS = ("sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:SetContext",
                 "sts:SetSourceIdentity", "sts:TagSession")
# ExternalAccessDetails.resourceControlPolicyRestriction
RCP_APPLIED, RCP_NOT_APPLICABLE = "APPLIED", "NOT_APPLICABLE"
_ANY_AWS_PRINCIPAL = ("arn:aws:iam::*", "arn:aws:sts::*")


@dataclass(frozen=True)
class ExternalAccess:
    """One principal outside the zone and what it may do to the role: a finding's ExternalAccessDetails."""

    principal: dict[str, str]
    actions: tuple[str, ...]
    condition: dict[str, str] = field(default_factory=dict)
    is_public: bool = False
    rcp_restriction: str = RCP_NOT_APPLICABLE

    @property
    def key(self) -> str:
        """The finding's identity on its resource: one finding per principal, whatever statements grant it."""
        ((kind, value),) = self.principal.items()
        return f"{kind}:{value}"


def account_of(value: str) -> str | None:
    """The account of an AWS principal value: an account id, or the account field of its ARN."""
    if ACCOUNT_ID.match(value):
        return value
    parsed = parse_arn(value)
    return parsed.account if parsed is not None and ACCOUNT_ID.match(parsed.account or "") else None


def _none_of(test: Callable[[str], bool]) -> Callable[[Any], bool]:
    """A filter keeping a key's value (one string, or a list) when no element passes ``test``."""
    def keep(value: Any) -> bool:
        items = value if isinstance(value, list) else [value]
        return not any(test(str(item)) for item in items)
    return keep


def _outsider_keys(zone: ZoneOfTrust) -> dict[str, Callable[[Any], bool]]:
    """Per condition key the caller cannot choose, the values a principal outside the zone may present."""
    outside_zone = _none_of(lambda value: zone.trusts_account(value))
    keys: dict[str, Callable[[Any], bool]] = {
        "aws:principalaccount": outside_zone,
        "aws:sourceaccount": outside_zone,
        "aws:sourceowner": outside_zone,
        "aws:principalarn": _none_of(lambda value: zone.trusts_account(account_of(value))),
    }
    if zone.organization_id is not None:
        org = zone.organization_id.lower()
        keys["aws:principalorgid"] = _none_of(lambda value: value.lower() == org)
        keys["aws:sourceorgid"] = _none_of(lambda value: value.lower() == org)
        keys["aws:principalorgpaths"] = _none_of(zone.trusts_org_path)
    return keys


def _principal_stmt(patterns: Sequence[str]) -> Stmt:
    """A statement that matches any action and exactly the principals ``patterns`` stand for."""
    alts = [tokens(p, wildcards=p.endswith(":*") or p.endswith("/*")) for p in patterns]
    everything = pattern_glob(["*"])
    return Stmt(-1, None, True, (everything, False), current_catalogue().everything, None, (glob(alts), False), ())


def _action_stmt(action: str) -> Stmt:
    return Stmt(-1, None, True, (pattern_glob([action.lower()]), False), _mask_of((action,)), None, None, ())


def _zone_principals(zone: ZoneOfTrust) -> tuple:  # type: ignore[type-arg]
    patterns = [p for account in sorted(zone.account_ids) for p in principal_patterns("AWS", account)]
    return (pattern_glob(patterns),) if patterns else ()


def _condition_map(statement: Statement) -> dict[str, str]:
    """The statement's conditions as a finding's condition map: each key with its values, comma-separated."""
    out: dict[str, str] = {}
    for clause in statement.condition or ():
        values = ",".join(v.value for v in clause.values)
        key = clause.key.value
        out[key] = f"{out[key]},{values}" if key in out else values
    return out


def _candidates(statement: Statement, zone: ZoneOfTrust) -> list[tuple[dict[str, str], list[str], bool]]:
    """(principal map, principal patterns, whether any AWS principal is meant) per external principal named."""
    if statement.not_principal is not None or (statement.principal is not None and statement.principal.wildcard):
        return [({"AWS": "*"}, list(_ANY_AWS_PRINCIPAL), True)]
    found: list[tuple[dict[str, str], list[str], bool]] = []
    principal = statement.principal
    if principal is None:
        return found
    for item in principal.values("AWS"):
        value = item.value
        if value == "*":
            found.append(({"AWS": "*"}, list(_ANY_AWS_PRINCIPAL), True))
        elif (account := account_of(value)) is not None and not zone.trusts_account(account):
            found.append(({"AWS": value}, principal_patterns("AWS", value), False))
    for item in principal.values("Federated"):
        found.append(({"Federated": item.value}, principal_patterns("Federated", item.value), False))
    return found


def _witness(positives: list[Stmt], negatives: list[Stmt], options: SearchOptions, confirm: Callable[
        [str, dict[str, Any]], bool]) -> tuple[str, dict[str, Any]] | None:
    """A request the positives allow and no negative refuses, confirmed by the evaluator when it can be; a
    request the search found but the evaluator did not confirm still counts (the analysis errs toward
    reporting access, as AWS's does)."""
    unconfirmed: tuple[str, dict[str, Any]] | None = None
    try:
        for witness in find_requests(positives, negatives, options):
            caller = principal_of(witness.principal or "anonymous")
            if confirm(caller, witness.context):
                return caller, witness.context
            unconfirmed = unconfirmed or (caller, witness.context)
    except Undecided:
        pass
    return unconfirmed


def analyze_trust_policy(document: str, *, role_arn: str, zone: ZoneOfTrust,
                         rcps: Sequence[GuardrailLevel] | None = None) -> list[ExternalAccess]:
    """The external access a role's trust policy grants, one ExternalAccess per principal outside ``zone``.

    ``rcps`` is the RCP path of the role's account (empty for the management account, or outside an
    organization): actions it denies to the principal are left out and the finding says APPLIED; a principal it
    denies every action has no access, so no finding."""
    parsed = parse_policy(document)
    if parsed.document is None:
        return []
    compiled = compile_document(parsed.document, "trust-policy", "")
    stmts = {s.index: s for s in document_constraints(parsed.document)}
    denies = [s for s in stmts.values() if not s.allow]
    public: set[int | None] | None = None  # the statements that grant public access, when first asked
    options = SearchOptions(with_principal=True, outsider_keys=_outsider_keys(zone))
    wildcard_options = SearchOptions(with_principal=True, outsider_keys=options.outsider_keys,
                                     forbidden_principals=_zone_principals(zone))
    by_key: dict[str, ExternalAccess] = {}
    for statement in parsed.document.statements:
        stmt = stmts.get(statement.index)
        if stmt is None or not stmt.allow or stmt.principal is None:
            continue
        condition = _condition_map(statement)
        for principal, patterns, any_aws in _candidates(statement, zone):
            granted = _granted_actions(stmt, patterns, denies, wildcard_options if any_aws else
                                       _options_for(principal, options, zone), compiled, role_arn, rcps)
            if granted is None:
                continue
            actions, restricted = granted
            if any_aws and public is None:
                public = {reason.statement_index for reason in
                          check_no_public_access(document, TRUST_POLICY_TYPE).reasons}
            access = ExternalAccess(principal, actions, condition, any_aws and statement.index in (public or ()),
                                    RCP_APPLIED if restricted else RCP_NOT_APPLICABLE)
            by_key[access.key] = _merge(by_key.get(access.key), access)
    return sorted(by_key.values(), key=lambda a: a.key)


def _options_for(principal: dict[str, str], options: SearchOptions, zone: ZoneOfTrust) -> SearchOptions:
    """A named account's principals present that account as aws:PrincipalAccount, and no other, and the zone's
    organization as aws:PrincipalOrgID exactly when the account is one of its: a grant pinned to another account,
    or to an organization the account is not in, cannot reach them."""
    account = account_of(principal.get("AWS", ""))
    if account is None:
        return options
    keys = dict(options.outsider_keys or {})
    keys["aws:principalaccount"] = _none_of(lambda value: value != account)
    if zone.home_organization is not None:
        organization, members = zone.home_organization
        member = account in members
        keys["aws:principalorgid"] = _none_of(lambda value: (value.lower() == organization.lower()) != member)
    return SearchOptions(with_principal=True, outsider_keys=keys)


def _granted_actions(stmt: Stmt, patterns: list[str], denies: list[Stmt], options: SearchOptions, compiled,  # type: ignore[no-untyped-def]
                     role_arn: str, rcps: Sequence[GuardrailLevel] | None) -> tuple[tuple[str, ...], bool] | None:
    """(the trust actions the principal is granted, whether the RCPs took some away), or None for no access."""
    who = _principal_stmt(patterns)
    granted: list[str] = []
    restricted = False
    for action in TRUST_ACTIONS:
        if not stmt.action_mask & _mask_of((action,)):
            continue

        def confirm(caller: str, context: dict[str, Any], action: str = action) -> bool:
            return evaluate_resource_policy(compiled, Request(action, role_arn, context), caller).allowed

        found = _witness([stmt, who, _action_stmt(action)], denies, options, confirm)
        if found is None:
            continue
        if rcps:
            caller, context = found
            request = Request(action, role_arn, _caller_context(caller, context))
            if not evaluate_guardrails(request, rcps=rcps, principal_arn=caller).allowed:
                restricted = True
                continue
        granted.append(action)
    if not granted:
        return None
    return tuple(granted), restricted


def _caller_context(caller: str, context: dict[str, Any]) -> dict[str, Any]:
    """The witness's context with the keys AWS sets for every AWS principal's request."""
    out = dict(context)
    account = account_of(caller) if caller.startswith("arn:") else None
    if account is not None and not any(k.lower() == "aws:principalaccount" for k in out):
        out["aws:PrincipalAccount"] = account
    return out


def _merge(earlier: ExternalAccess | None, later: ExternalAccess) -> ExternalAccess:
    """One principal granted by several statements: every action, public when any grant is, and the
    condition of the least conditioned grant (the one that limits it least)."""
    if earlier is None:
        return later
    actions = tuple(a for a in TRUST_ACTIONS if a in earlier.actions or a in later.actions)
    condition = min((earlier.condition, later.condition), key=len)
    restriction = RCP_APPLIED if RCP_APPLIED in (earlier.rcp_restriction, later.rcp_restriction) else \
        RCP_NOT_APPLICABLE
    return ExternalAccess(earlier.principal, actions, condition, earlier.is_public or later.is_public, restriction)
