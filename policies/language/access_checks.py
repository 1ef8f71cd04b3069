"""IAM Access Analyzer's custom policy checks: CheckNoNewAccess, CheckAccessNotGranted, CheckNoPublicAccess.

Each check searches for a request (action, resource, principal, context) that the question is about
(see ``access_search``), then has the evaluator confirm it: a FAIL comes with that confirmed
counterexample. Where the search cannot be exact (a step past its budget, policy variables
whose values it cannot pick) the answer is FAIL with a "cannot prove" reason, as AWS's
automated reasoning errs toward FAIL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .access_model import (
    Stmt,
    Witness,
    _mask_of,
    _symbols,
    current_catalogue,
    document_constraints,
    principal_of,
    subsumes,
)
from .access_search import SearchOptions, find_requests
from .actions import lookup
from .compiler import CompiledPolicy, compile_document
from .conditions import to_address, to_network
from .decisions import Request
from .evaluator import evaluate, evaluate_resource_policy
from .globs import SYMBOL_BASE, Glob, Undecided, pattern_glob
from .model import PolicyDocument
from .parser import parse_policy

PASS, FAIL = "PASS", "FAIL"
IDENTITY_POLICY, RESOURCE_POLICY = "IDENTITY_POLICY", "RESOURCE_POLICY"
CHECK_POLICY_TYPES = (IDENTITY_POLICY, RESOURCE_POLICY)

# botocore accessanalyzer 2019-11-01, CheckNoPublicAccess resourceType.
PUBLIC_ACCESS_RESOURCE_TYPES = (
    "AWS::DynamoDB::Table", "AWS::DynamoDB::Stream", "AWS::EFS::FileSystem", "AWS::OpenSearchService::Domain",
    "AWS::Kinesis::Stream", "AWS::Kinesis::StreamConsumer", "AWS::KMS::Key", "AWS::Lambda::Function",
    "AWS::S3::Bucket", "AWS::S3::AccessPoint", "AWS::S3Express::DirectoryBucket", "AWS::S3::Glacier",
    "AWS::S3Outposts::Bucket", "AWS::S3Outposts::AccessPoint", "AWS::SecretsManager::Secret", "AWS::SNS::Topic",
    "AWS::SQS::Queue", "AWS::IAM::AssumeRolePolicyDocument", "AWS::S3Tables::TableBucket", "AWS::ApiGateway::RestApi",
    "AWS::CodeArtifact::Domain", "AWS::Backup::BackupVault", "AWS::CloudTrail::Dashboard",
    "AWS::CloudTrail::EventDataStore", "AWS::S3Tables::Table", "AWS::S3Express::AccessPoint",
)

# Condition keys whose value the caller cannot choose, so a grant pinned to a fixed value of one of
# them is not public (Amazon S3 User Guide, "The meaning of 'public'"; IAM Access Analyzer's
# external access findings). A wildcard value ("o-*") pins nothing.
RESTRICTING_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceAccount",
    "aws:SourceArn", "aws:SourceOwner", "aws:SourceOrgID", "aws:SourceOrgPaths", "aws:SourceVpc", "aws:SourceVpce",
    "aws:userid", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:SourceIp", "aws:ResourceAccount",
    "s3:DataAccessPointArn", "s3:DataAccessPointAccount", "kms:CallerAccount", "lambda:FunctionArn",
))


class PolicyCheckError(ValueError):
    """The input cannot be checked (not a JSON policy object, unknown policy or resource type)."""


@dataclass(frozen=True, slots=True)
class CheckReason:
    """ReasonSummary: which statement the verdict is about."""

    description: str
    statement_index: int | None = None
    statement_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"description": self.description}
        if self.statement_index is not None:
            out["statementIndex"] = self.statement_index
        if self.statement_id:
            out["statementId"] = self.statement_id
        return out


@dataclass(frozen=True, slots=True)
class Counterexample:
    """A request the evaluator itself confirmed: allowed where the check says it must not be."""

    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)
    principal: str | None = None  # for resource policies: the caller's ARN (or service name)

    def request(self) -> Request:
        return Request(self.action, self.resource, self.context)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"action": self.action, "resource": self.resource, "context": self.context}
        if self.principal is not None:
            out["principal"] = self.principal
        return out


@dataclass(frozen=True, slots=True)
class CheckResult:
    """``result`` PASS or FAIL; ``message`` and ``reasons`` as AWS's API returns them; where FAIL, a
    confirmed ``counterexample`` unless ``proven`` is False (the search could not decide: FAIL with a
    "cannot prove" reason)."""

    result: str
    message: str
    reasons: tuple[CheckReason, ...] = ()
    counterexample: Counterexample | None = None
    proven: bool = True

    @property
    def passed(self) -> bool:
        return self.result == PASS

    def to_dict(self) -> dict[str, Any]:
        """The CheckNoNewAccess / CheckAccessNotGranted / CheckNoPublicAccess response body."""
        out: dict[str, Any] = {"result": self.result, "message": self.message}
        if self.reasons:
            out["reasons"] = [r.to_dict() for r in self.reasons]
        return out


@dataclass
class _Policy:
    document: PolicyDocument
    stmts: list[Stmt]
    compiled: CompiledPolicy

    @property
    def allows(self) -> list[Stmt]:
        return [s for s in self.stmts if s.allow]

    @property
    def denies(self) -> list[Stmt]:
        return [s for s in self.stmts if not s.allow]


def _load(text: str, role: str) -> _Policy:
    if not isinstance(text, str):
        raise PolicyCheckError(f"the {role} policy document must be a JSON string")
    # Action bit sets index the catalogue as it is now: a registered service changes them.
    return _load_for(text, role, current_catalogue().version)


@lru_cache(maxsize=256)
def _load_for(text: str, role: str, _catalogue_version: tuple) -> _Policy:  # type: ignore[type-arg]
    parsed = parse_policy(text)
    if parsed.document is None:
        problem = parsed.findings[0].message if parsed.findings else "it is not a JSON object"
        raise PolicyCheckError(f"The {role} policy document is not a valid policy: {problem}")
    return _Policy(parsed.document, document_constraints(parsed.document),
                   compile_document(parsed.document, f"{role}-policy", ""))


def _check_type(policy_type: str) -> None:
    if policy_type not in CHECK_POLICY_TYPES:
        raise PolicyCheckError(f"policyType must be one of {', '.join(CHECK_POLICY_TYPES)}, not {policy_type!r}")


def _where(stmt: Stmt) -> str:
    return f"sid: {stmt.sid}" if stmt.sid else f"index: {stmt.index}"


def _reason(template: str, stmt: Stmt) -> CheckReason:
    return CheckReason(template.format(where=_where(stmt)), stmt.index, stmt.sid)


def _concrete(witness: Witness, policies: list[_Policy], spellings: tuple[str, ...] = ()) -> Counterexample:
    """Replace the symbols that stand for policy variables by values, and set those keys."""
    context = dict(witness.context)
    keys: list[str] = []
    for policy in policies:
        if policy.document.supports_variables:
            keys = list(_symbols(policy.document))
            break

    def fill(text: str) -> str:
        def value_for(match: re.Match[str]) -> str:
            index = ord(match.group()) - SYMBOL_BASE
            key = keys[index] if index < len(keys) else "aws:username"
            present = next((v for k, v in context.items() if k.lower() == key), None)
            if not isinstance(present, str):
                present = "example"
                context[key] = present
            return present
        return re.sub("[\ue000-\uefff]", value_for, text)

    return Counterexample(_canonical_action(witness.action, policies, spellings), fill(witness.resource), context,
                          principal_of(fill(witness.principal)) if witness.principal is not None else None)


def _canonical_action(action: str, policies: list[_Policy], spellings: tuple[str, ...] = ()) -> str:
    """The action as people write it (`s3:PutObject`): the catalogue's name, else the spelling the question or
    the policies use; the search works in lower case, since action names compare without regard to case."""
    known = lookup(action)
    if known is not None:
        return known.full_name
    for spelling in spellings:
        if spelling.lower() == action.lower():
            return spelling
    for policy in policies:
        for statement in policy.document.statements:
            for item in (statement.action or ()) + (statement.not_action or ()):
                if item.value.lower() == action.lower():
                    return item.value
    return action


def _allowed(policy: _Policy, example: Counterexample, resource_policy: bool) -> bool:
    request = example.request()
    if resource_policy:
        return evaluate_resource_policy(policy.compiled, request, example.principal or "anonymous").allowed
    return evaluate(request, [policy.compiled]).allowed


def _search(positives: list[Stmt], negatives: list[Stmt], options: SearchOptions, confirm) -> tuple[  # type: ignore[no-untyped-def]
        Counterexample | None, bool]:
    """(a confirmed counterexample or None, whether the search was exact)."""
    exact = True
    try:
        for witness in find_requests(positives, negatives, options):
            example = confirm(witness)
            if example is not None:
                return example, True
            exact = False  # found in the model, not confirmed by the evaluator
    except Undecided:
        exact = False
    return None, exact


_Query = tuple[list[Stmt], list[Stmt]]  # (statements to match, statements to avoid)


@dataclass(frozen=True, slots=True)
class _Wording:
    found: str
    unproven: str
    passed: str
    failed: str


_NO_NEW_ACCESS = _Wording(
    "New access in the statement with {where}.",
    "Cannot prove that the statement with {where} grants no new access.",
    "The modified permissions do not grant new access compared to your existing policy.",
    "The modified permissions grant new access compared to your existing policy.",
)
_ACCESS_NOT_GRANTED = _Wording(
    "One or more of the listed actions or resources in the statement with {where}.",
    "Cannot prove that the statement with {where} does not grant the listed access.",
    "The policy document does not grant access to perform the listed actions or resources.",
    "The policy document grants access to perform one or more of the listed actions or resources.",
)
_NO_PUBLIC_ACCESS = _Wording(
    "Public access granted in the following statement with {where}.",
    "Cannot prove that the statement with {where} grants no public access.",
    "The resource policy does not grant public access for the given resource type.",
    "The resource policy grants public access for the given resource type.",
)


def _verdict(questions: list[tuple[Stmt, list[_Query]]], options: SearchOptions, confirm, wording: _Wording  # type: ignore[no-untyped-def]
             ) -> CheckResult:
    """Ask each statement's queries in turn; a statement is a reason when one finds a request."""
    reasons: list[CheckReason] = []
    first: Counterexample | None = None
    proven = True
    for stmt, queries in questions:
        found, exact = None, True
        for positives, negatives in queries:
            found, exact = _search(positives, negatives, options, confirm)
            if found is not None or not exact:
                break
        if found is not None:
            reasons.append(_reason(wording.found, stmt))
            first = first or found
        elif not exact:
            proven = False
            reasons.append(_reason(wording.unproven, stmt))
    if not reasons:
        return CheckResult(PASS, wording.passed)
    return CheckResult(FAIL, wording.failed, tuple(reasons), first, proven and first is not None)


def check_no_new_access(new_policy: str, existing_policy: str, policy_type: str = IDENTITY_POLICY) -> CheckResult:
    """CheckNoNewAccess: does ``new_policy`` allow any request that ``existing_policy`` does not?

    New access is a request some Allow of the new policy matches, no Deny of the new policy
    matches, and that the existing policy does not allow: either no Allow of it matches, or one
    of its Denies does (a Deny removed or narrowed).
    """
    _check_type(policy_type)
    new, old = _load(new_policy, "new"), _load(existing_policy, "existing")
    resource = policy_type == RESOURCE_POLICY
    options = SearchOptions(with_principal=resource)

    def confirm(witness: Witness) -> Counterexample | None:
        example = _concrete(witness, [new, old])
        if _allowed(new, example, resource) and not _allowed(old, example, resource):
            return example
        return None

    old_allow_shapes = {a.shape for a in old.allows}
    new_deny_shapes = {d.shape for d in new.denies}
    removed_denies = [d for d in old.denies
                      if d.shape not in new_deny_shapes and not any(_covers(n, d) for n in new.denies)]
    questions: list[tuple[Stmt, list[_Query]]] = []
    for stmt in new.allows:
        queries: list[_Query] = []
        if stmt.shape not in old_allow_shapes and not any(_covers(a, stmt) for a in old.allows):
            queries.append(([stmt], new.denies + old.allows))
        queries.extend(([stmt, deny], new.denies) for deny in removed_denies)
        questions.append((stmt, queries))
    return _verdict(questions, options, confirm, _NO_NEW_ACCESS)


def _covers(general: Stmt, specific: Stmt) -> bool:
    return subsumes(general, specific)


def check_access_not_granted(
    policy: str, actions: list[str] | tuple[str, ...] = (), resources: list[str] | tuple[str, ...] = (),
    policy_type: str = IDENTITY_POLICY,
) -> CheckResult:
    """CheckAccessNotGranted: does ``policy`` grant any of ``actions`` (on any resource), any action
    on ``resources``, or - given both - any of the actions on any of the resources? Both lists take
    IAM patterns (``s3:Put*``, ``arn:aws:s3:::bucket/*``)."""
    _check_type(policy_type)
    if not actions and not resources:
        raise PolicyCheckError("access must name at least one action or resource")
    loaded = _load(policy, "checked")
    resource = policy_type == RESOURCE_POLICY
    access = _access_stmt(tuple(actions), tuple(resources))
    options = SearchOptions(with_principal=resource)

    def confirm(witness: Witness) -> Counterexample | None:
        example = _concrete(witness, [loaded], tuple(actions))
        return example if _allowed(loaded, example, resource) else None

    questions = [(stmt, [([stmt, access], loaded.denies)]) for stmt in loaded.allows]
    return _verdict(questions, options, confirm, _ACCESS_NOT_GRANTED)


def _access_stmt(actions: tuple[str, ...], resources: tuple[str, ...]) -> Stmt:
    action_patterns = actions or ("*",)
    return Stmt(-1, None, True, (pattern_glob([a.lower() for a in action_patterns]), False),
                 _mask_of(action_patterns) if actions else current_catalogue().everything,
                 (pattern_glob(list(resources)), False) if resources else None, None, ())


def check_no_public_access(policy: str, resource_type: str) -> CheckResult:
    """CheckNoPublicAccess: can anyone - any principal of any account, or an anonymous caller - be
    granted access by this resource policy? A grant is not public when it names principals, or
    pins a condition key the caller cannot choose (aws:PrincipalOrgID, aws:SourceAccount ...; see
    RESTRICTING_KEYS) to fixed values, or limits aws:SourceIp to blocks of /8 (IPv6 /32) or
    narrower."""
    if resource_type not in PUBLIC_ACCESS_RESOURCE_TYPES:
        raise PolicyCheckError(f"resourceType {resource_type!r} is not supported; use one of "
                               f"{', '.join(PUBLIC_ACCESS_RESOURCE_TYPES)}")
    loaded = _load(policy, "checked")
    named: list[Glob] = []
    for stmt in loaded.stmts:
        if stmt.principal is not None and not stmt.principal[0].universal:
            named.append(stmt.principal[0])
    fixed = _fixed_values(loaded.stmts)
    options = SearchOptions(with_principal=True, forbidden_principals=tuple(named),
                            outsider_keys={key: _outsider(key, values) for key, values in fixed.items()})

    def confirm(witness: Witness) -> Counterexample | None:
        example = _concrete(witness, [loaded])
        return example if _allowed(loaded, example, True) else None

    questions = [(stmt, [([stmt], loaded.denies)]) for stmt in loaded.allows if stmt.principal is not None]
    return _verdict(questions, options, confirm, _NO_PUBLIC_ACCESS)


def _fixed_values(stmts: list[Stmt]) -> dict[str, list[str]]:
    """Per restricting key, the values written in the policy that pin it (no wildcard)."""
    fixed: dict[str, list[str]] = {key: [] for key in RESTRICTING_KEYS}
    for stmt in stmts:
        for clause in stmt.clauses:
            if clause.key in RESTRICTING_KEYS:
                for value in clause.values:
                    if clause.key == "aws:sourceip":
                        network = to_network(value)
                        if network is not None and network.prefixlen >= (8 if network.version == 4 else 32):
                            fixed[clause.key].append(value)
                    elif "*" not in value and "?" not in value:
                        fixed[clause.key].append(value)
    return fixed


def _outsider(key: str, values: list[str]):  # type: ignore[no-untyped-def]
    """A filter: True for the values an outsider may present for this key."""
    if key == "aws:sourceip":
        networks = [n for v in values if (n := to_network(v)) is not None]

        def outside_networks(value: Any) -> bool:
            address = to_address(value)
            return address is None or not any(address.version == n.version and address in n for n in networks)

        return outside_networks
    pinned = {v.lower() for v in values}

    def outside_values(value: Any) -> bool:
        items = value if isinstance(value, list) else [value]
        return not any(str(item).lower() in pinned for item in items)

    return outside_values
