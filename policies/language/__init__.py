"""IAM policy language engine: parse, validate, compile, evaluate and summarize policies.

Standard library only — no Django, no project imports — so it can be used and tested
on its own.

Validate: IAM's verdict, and advice shaped like IAM Access Analyzer's findings::

    from policies.language import validate, SIZE_LIMITS

    result = validate(text, policy_type="IDENTITY_POLICY", size_limit="managed")
    result.valid          # IAM's verdict: False exactly when IAM refuses the document
    result.blocking()     # the findings IAM refuses it for (MalformedPolicyDocument / size quota)
    for f in result.findings:   # sorted by (line, column); advice never blocks, whatever its severity
        print(f.severity.value, f.blocking, f.issue_code, f.line, f.column, f.path, f.message)
    f.to_dict()           # the one JSON shape of a finding
    result.model          # PolicyDocument (None if the text is not a JSON object)

    validate(trust_text, policy_type="TRUST_POLICY", size_limit="trust")

Evaluate (AWS policy evaluation logic, same account)::

    from policies.language import Request, compile_policy, evaluate, invalidate

    admin = compile_policy(text, policy_id="pol-123", version="v2")   # LRU-cached
    request = Request(
        action="iam:CreateUser",
        resource="arn:aws:iam::123456789012:user/alice",
        context={"aws:username": "bob", "aws:MultiFactorAuthPresent": True},
    )
    decision = evaluate(request, [admin, *group_policies],
                        boundary_policies=[boundary], session_policies=None)
    decision.decision            # "allowed" | "explicitDeny" | "implicitDeny"
    decision.matched_statements  # (MatchedStatement(policy_id, sid, statement_index, line, ...),)
    invalidate("pol-123")        # after an inline (unversioned) policy is rewritten

Trust / resource policies::

    trust = compile_policy(trust_text, "role-7-trust", "3")
    d = evaluate_resource_policy(trust, Request("sts:AssumeRole", role_arn, ctx),
                                 principal_arn=caller_arn, account_id="123456789012")
    if d.allowed and d.via_account_root:
        ...  # trusted via the account: the caller's identity policies must also allow

Summaries (IAM console style)::

    from policies.language import summarize
    for s in summarize(text):
        print(s.effect, s.service, s.access_levels, s.resources)

Module map: jsonpos (position-tracking JSON), parser -> model, findings, validator +
iam_grammar (IAM's verdict) + checks (advice), actions (iam/sts catalogue),
condition_keys, conditions, arn, variables, compiler (indexing + cache), evaluator,
summary.
"""

from .actions import ACCESS_LEVELS, CATALOGUE, ActionInfo
from .actions import lookup as lookup_action
from .compiler import (
    CompiledPolicy,
    CompiledStatement,
    PolicyCompileError,
    cache_info,
    clear_cache,
    compile_document,
    compile_policy,
    invalidate,
)
from .condition_keys import GLOBAL_CONDITION_KEYS
from .conditions import CONDITION_OPERATORS
from .evaluator import (
    ALLOWED,
    EXPLICIT_DENY,
    IMPLICIT_DENY,
    Decision,
    MatchedStatement,
    Request,
    RequestContext,
    ResourcePolicyDecision,
    could_allow,
    evaluate,
    evaluate_resource_policy,
    principal_match,
    principal_matches,
)
from .findings import Finding, Severity
from .model import ConditionClause, Located, PolicyDocument, Principal, Statement
from .parser import ParseResult, parse_policy
from .summary import ServiceSummary, summarize
from .validator import (
    IDENTITY_POLICY,
    POLICY_TYPES,
    RESOURCE_POLICY,
    SIZE_LIMITS,
    TRUST_POLICY,
    ValidationResult,
    validate,
)

__all__ = [
    "ACCESS_LEVELS",
    "ALLOWED",
    "CATALOGUE",
    "CONDITION_OPERATORS",
    "EXPLICIT_DENY",
    "GLOBAL_CONDITION_KEYS",
    "IDENTITY_POLICY",
    "IMPLICIT_DENY",
    "POLICY_TYPES",
    "RESOURCE_POLICY",
    "SIZE_LIMITS",
    "TRUST_POLICY",
    "ActionInfo",
    "CompiledPolicy",
    "CompiledStatement",
    "ConditionClause",
    "Decision",
    "Finding",
    "Located",
    "MatchedStatement",
    "ParseResult",
    "PolicyCompileError",
    "PolicyDocument",
    "Principal",
    "Request",
    "RequestContext",
    "ResourcePolicyDecision",
    "ServiceSummary",
    "Severity",
    "Statement",
    "ValidationResult",
    "cache_info",
    "clear_cache",
    "compile_document",
    "compile_policy",
    "could_allow",
    "evaluate",
    "evaluate_resource_policy",
    "invalidate",
    "lookup_action",
    "parse_policy",
    "principal_match",
    "principal_matches",
    "summarize",
    "validate",
]
