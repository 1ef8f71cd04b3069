"""The policy engine beside Cedar's Python binding (cedarpy) on the same policies: the 10 policies × 10
statements with conditions of benchmarks/policy_engine.py, each statement translated to one Cedar permit or forbid
(actions, resources and condition keys as context attributes, since Cedar has no IAM wildcards on entities;
`${aws:username}` becomes a wildcard, which Cedar cannot interpolate), parsed once, and the same request decided by
both in the same process. Needs cedarpy (the dev extras).

    .venv/bin/python benchmarks/cedar_compare.py
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import cedarpy  # noqa: E402

from benchmarks import policy_engine  # noqa: E402
from policies.language import compile_policy, evaluate  # noqa: E402

CONTEXT = {"action": "iam:GetUser", "resource": policy_engine.REQUEST.resource, "username": "alice", "team": "blue",
           "mfa": True, "secure": True, "ip": {"__extn": {"fn": "ip", "arg": "10.1.2.3"}}}
_KEYS = {"aws:PrincipalTag/team": "team", "aws:MultiFactorAuthPresent": "mfa", "aws:SecureTransport": "secure",
         "aws:SourceIp": "ip"}


def _strings(values) -> list[str]:
    return values if isinstance(values, list) else [values]


def _pattern(value: str) -> str:
    return re.sub(r"\$\{[^}]*\}", "*", value)


def _any_like(attribute: str, values) -> str:
    return "(" + " || ".join(f'context.{attribute} like "{_pattern(v)}"' for v in _strings(values)) + ")"


def _condition(operator: str, key: str, values) -> str:
    attribute = _KEYS[key]
    if operator == "StringEquals":
        return f"{json.dumps(_strings(values))}.contains(context.{attribute})"
    if operator == "Bool":
        return f"context.{attribute} == {str(_strings(values)[0]).lower()}"
    if operator == "NotIpAddress":
        return "!(" + " || ".join(f'context.{attribute}.isInRange(ip("{v}"))' for v in _strings(values)) + ")"
    raise ValueError(operator)


def cedar_text(documents: list[dict]) -> str:
    policies = []
    for document in documents:
        for statement in document["Statement"]:
            tests = [_any_like("action", statement["Action"]), _any_like("resource", statement["Resource"])]
            for operator, keys in statement.get("Condition", {}).items():
                tests += [_condition(operator, key, values) for key, values in keys.items()]
            effect = "permit" if statement["Effect"] == "Allow" else "forbid"
            policies.append(f"{effect}(principal, action, resource) when {{ {' && '.join(tests)} }};")
    return "\n".join(policies)


def _median_us(decide, iterations: int) -> float:
    decide()
    samples = []
    for _ in range(iterations):
        started = time.perf_counter_ns()
        decide()
        samples.append(time.perf_counter_ns() - started)
    samples.sort()
    return samples[len(samples) // 2] / 1000


def main(iterations: int = 3000) -> dict:
    documents = policy_engine.policy_documents(10, 10)
    compiled = [compile_policy(json.dumps(d), f"c{i}", "v1") for i, d in enumerate(documents)]
    policy_set, entities = cedarpy.PolicySet.from_str(cedar_text(documents)), cedarpy.Entities.from_json_str("[]")
    request = {"principal": 'User::"alice"', "action": 'Action::"GetUser"', "resource": 'Resource::"alice"',
               "context": CONTEXT}
    assert evaluate(policy_engine.REQUEST, compiled).allowed
    answer = cedarpy.is_authorized(request, policy_set, entities)
    assert answer.decision == cedarpy.Decision.Allow, answer.diagnostics.errors
    ours = _median_us(lambda: evaluate(policy_engine.REQUEST, compiled), iterations)
    theirs = _median_us(lambda: cedarpy.is_authorized(request, policy_set, entities), iterations)
    load = "/".join(f"{value:.2f}" for value in os.getloadavg())
    lines = ["| one decision, 10 policies × 10 statements with conditions (100 Cedar policies) | p50 |",
             "| --- | --- |",
             f"| this directory's engine | {ours:.1f} µs |",
             f"| cedarpy {version('cedarpy')} (policies parsed once) | {theirs:.1f} µs |",
             f"| ratio | cedarpy takes {theirs / ours:.1f}× as long (load average {load}) |"]
    return {"ours_us": ours, "cedar_us": theirs, "lines": lines}


if __name__ == "__main__":
    print("\n".join(main()["lines"]))
