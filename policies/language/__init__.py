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

Guardrails (AWS Organizations): a path is the levels from the root down to the account, each
with the SCPs (or RCPs) attached there; every level must allow, no policy may deny::

    from policies.language import GuardrailLevel, evaluate, evaluate_guardrails, evaluate_access

    scps = [GuardrailLevel("root", "r-ab12", (full_access,)),
            GuardrailLevel("ou", "ou-ab12-34cd56ef", (full_access, deny_regions)),
            GuardrailLevel("account", "111122223333", (full_access,))]
    d = evaluate(request, identity, scps=scps, rcps=resource_account_rcps, principal_arn=caller_arn)
    d.policy_type   # "scp" | "rcp" | "identity" | "boundary" | "session" | "resource"
    d.level         # ("ou", "ou-ab12-34cd56ef") when a guardrail decided
    d.reason        # "no service control policy at OU ou-ab12-34cd56ef allows iam:CreateUser"
                    # "explicitly denied by service control policy p-abc at root r-ab12"
    d.matched_statements[0].source, d.matched_statements[0].level   # "scp", ("root", "r-ab12")
    evaluate_guardrails(request, scps=scps)     # a member account's root user: guardrails only
    # Pass no path for the management account (SCPs and RCPs do not restrict it).

Everything at once, within one account or across two (both sides must allow across accounts)::

    d = evaluate_access(request, principal_arn=caller_arn, resource_account="444455556666",
                        identity_policies=identity, resource_policy=bucket_policy,
                        scps=scps, rcps=rcps)

SCP / RCP grammars: ``validate(text, policy_type=SERVICE_CONTROL_POLICY)`` or
``RESOURCE_CONTROL_POLICY``; their 5,120-character quota always applies and counts whitespace.

Custom policy checks (IAM Access Analyzer)::

    from policies.language.access_checks import (
        check_no_new_access, check_access_not_granted, check_no_public_access, PolicyCheckError)

    r = check_no_new_access(new_text, existing_text, "IDENTITY_POLICY")   # or "RESOURCE_POLICY"
    r = check_access_not_granted(text, ["iam:PassRole"], ["arn:aws:iam::*:role/admin"], "IDENTITY_POLICY")
    r = check_no_public_access(bucket_policy_text, "AWS::S3::Bucket")
    r.result          # "PASS" | "FAIL"
    r.to_dict()       # {"result", "message", "reasons": [{"description", "statementIndex", "statementId"}]}
    r.counterexample  # FAIL: Counterexample(action, resource, context, principal), confirmed by evaluate()
    r.proven          # False when the answer is FAIL only because the search could not decide
    # PolicyCheckError: malformed JSON, unknown policy type or resource type (ValidationException).

Summaries (IAM console style)::

    from policies.language import summarize
    for s in summarize(text):
        print(s.effect, s.service, s.access_levels, s.resources)

Module map: jsonpos (position-tracking JSON), parser -> model, findings, validator +
iam_grammar (IAM's verdict) + guardrail_grammar (SCP/RCP) + checks (advice), actions
(iam/sts catalogue), condition_keys, conditions, arn, variables, compiler (indexing +
cache), decisions (requests, verdicts, the statement scan), principals, guardrails,
evaluator, summary; the custom policy checks: globs (pattern automata), access_model
(policies as constraints), access_search (the request search), access_checks (the API).
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
    evaluate_access,
    evaluate_resource_policy,
    principal_match,
    principal_matches,
)
from .findings import Finding, Severity
from .guardrails import GuardrailLevel, evaluate_guardrails
from .model import ConditionClause, Located, PolicyDocument, Principal, Statement
from .parser import ParseResult, parse_policy
from .summary import ServiceSummary, summarize
from .validator import (
    IDENTITY_POLICY,
    POLICY_TYPES,
    RESOURCE_CONTROL_POLICY,
    RESOURCE_POLICY,
    SERVICE_CONTROL_POLICY,
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
    "RESOURCE_CONTROL_POLICY",
    "RESOURCE_POLICY",
    "SERVICE_CONTROL_POLICY",
    "SIZE_LIMITS",
    "TRUST_POLICY",
    "ActionInfo",
    "CompiledPolicy",
    "CompiledStatement",
    "ConditionClause",
    "Decision",
    "Finding",
    "GuardrailLevel",
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
    "evaluate_access",
    "evaluate_guardrails",
    "evaluate_resource_policy",
    "invalidate",
    "lookup_action",
    "parse_policy",
    "principal_match",
    "principal_matches",
    "summarize",
    "validate",
]
