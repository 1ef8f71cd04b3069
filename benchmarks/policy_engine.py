"""Policy engine benchmark: one decision in-process with warm caches, and policy validation.

Run: python3 dev.py manage ... or directly `.venv/bin/python benchmarks/policy_engine.py` (no database needed
for the engine figures; the validation round trip goes through the REST view in-process).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policies.language import GuardrailLevel, Request, compile_policy, evaluate, validate  # noqa: E402
from policies.language.actions import all_actions  # noqa: E402

IAM_ACTIONS = sorted(a.full_name for a in all_actions("iam") if a.name != "GetUser")
REQUEST = Request("iam:GetUser", "arn:aws:iam::123456789012:user/alice", {
    "aws:username": "alice", "aws:PrincipalTag/team": "blue", "aws:SecureTransport": True,
    "aws:MultiFactorAuthPresent": True, "aws:SourceIp": "10.1.2.3"})


def _statement(rnd: random.Random, index: int) -> dict:
    return {
        "Sid": f"S{index}", "Effect": "Allow", "Action": rnd.sample(IAM_ACTIONS, 3),
        "Resource": [f"arn:aws:iam::123456789012:user/team{index}/*",
                     "arn:aws:iam::123456789012:role/${aws:PrincipalTag/team}-*"],
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": ["blue", "red"]},
                      "Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }


def policy_documents(count: int, statements: int, *, matching: int | None = None) -> list[dict]:
    """`count` policies of `statements` statements with conditions; one statement of each of the first
    `matching` policies (all by default) allows the benchmark request, and every third policy has a Deny."""
    rnd = random.Random(7)
    documents = []
    for number in range(count):
        body = [_statement(rnd, i) for i in range(statements - 2)]
        body.append({"Sid": "DenyDeletesOffNetwork", "Effect": "Deny", "Action": ["iam:Delete*", "iam:Detach*"],
                     "Resource": "*", "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}})
        if matching is None or number < matching:
            body.append({"Sid": "ReadSelf", "Effect": "Allow", "Action": "iam:GetUser",
                         "Resource": "arn:aws:iam::123456789012:user/${aws:username}",
                         "Condition": {"Bool": {"aws:SecureTransport": "true"}}})
        else:
            body.append(_statement(rnd, statements))
        documents.append({"Version": "2012-10-17", "Statement": body})
    return documents


def policies(count: int, statements: int, *, tag: str, matching: int | None = None) -> list:
    """policy_documents(), compiled."""
    return [compile_policy(json.dumps(document), f"{tag}{number}", "v1")
            for number, document in enumerate(policy_documents(count, statements, matching=matching))]


def _hot_statement(rnd: random.Random, index: int) -> dict:
    # Matches the benchmark action and resource, so the index cannot skip it: its conditions must be evaluated.
    statement = _statement(rnd, index)
    statement["Action"] = ["iam:Get*", *rnd.sample(IAM_ACTIONS, 2)]
    statement["Resource"] = ["arn:aws:iam::123456789012:user/*"]
    statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": ["red", "green"]},
                              "Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return statement


def _unique_hot_statement(rnd: random.Random, index: int) -> dict:
    # Like _hot_statement, but no two statements share their Resource list or conditions.
    statement = _hot_statement(rnd, index)
    statement["Resource"] = ["arn:aws:iam::123456789012:user/*", f"arn:aws:iam::123456789012:user/p{index}/*"]
    statement["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": ["red", f"green{index}"]},
                              "Bool": {"aws:MultiFactorAuthPresent": "true"}}
    return statement


def big_policy_text(rnd: random.Random, index: int, *, hot: bool = False, unique: bool = False) -> str:
    """A policy of close to 6,144 characters without whitespace (the managed policy limit)."""
    statements, text = [], ""
    make = _unique_hot_statement if unique else _hot_statement if hot else _statement
    offset = 1000 * index if unique else 0
    while True:
        candidate = statements + [make(rnd, offset + len(statements))]
        candidate_text = json.dumps({"Version": "2012-10-17", "Statement": candidate}, separators=(",", ":"))
        if len(candidate_text) > 6144:
            return text
        statements, text = candidate, candidate_text


def scp_path() -> list[GuardrailLevel]:
    """Root, one OU and the account, each with FullAWSAccess, a region guard and a deny-list SCP."""
    def scp(number: int, statement: dict) -> object:
        return compile_policy(json.dumps({"Version": "2012-10-17", "Statement": [statement]}), f"p-scp{number}", "v1")

    levels = []
    for number, (kind, level_id) in enumerate((("root", "r-ab12"), ("ou", "ou-ab12-11111111"),
                                               ("account", "123456789012"))):
        levels.append(GuardrailLevel(kind, level_id, (
            scp(0, {"Effect": "Allow", "Action": "*", "Resource": "*"}),
            scp(10 + number, {"Effect": "Deny", "Action": ["ec2:*", "s3:DeleteBucket"], "Resource": "*",
                              "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}),
            scp(20 + number, {"Effect": "Deny", "Action": ["organizations:Leave*", "iam:CreateAccountAlias"],
                              "Resource": "*"}),
        )))
    return levels


def timed(policy_set: list, iterations: int, **guardrails: object) -> tuple[float, float]:
    evaluate(REQUEST, policy_set, **guardrails)  # type: ignore[arg-type]
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        evaluate(REQUEST, policy_set, **guardrails)  # type: ignore[arg-type]
        samples.append(time.perf_counter_ns() - start)
    samples.sort()
    return samples[len(samples) // 2] / 1000, samples[int(len(samples) * 0.99)] / 1000


def main() -> dict:
    results = {}
    ten = policies(10, 10, tag="a")
    p50, p99 = timed(ten, 20000)
    results["10x10"] = (p50, p99)
    results["10x10_scp"] = timed(ten, 20000, scps=scp_path())
    start = time.perf_counter()
    count = 0
    while time.perf_counter() - start < 2.0:
        evaluate(REQUEST, ten)
        count += 1
    results["decisions_per_second"] = count / (time.perf_counter() - start)
    results["10x100"] = timed(policies(10, 100, tag="b"), 5000)
    results["100x10"] = timed(policies(100, 10, tag="c", matching=10), 5000)
    rnd = random.Random(11)
    # Worst case: every statement of all 120 policies names the action and must have its conditions evaluated.
    worst = [compile_policy(big_policy_text(rnd, i, hot=True), f"w{i}", "v1") for i in range(120)]
    results["120x6144"] = timed(worst, 2000)
    unshared = [compile_policy(big_policy_text(rnd, i, unique=True), f"u{i}", "v1") for i in range(120)]
    results["120x6144_unshared"] = timed(unshared, 2000)
    text = big_policy_text(random.Random(3), 0)
    validation = []
    for _ in range(200):
        start = time.perf_counter_ns()
        validate(text, size_limit="managed")
        validation.append(time.perf_counter_ns() - start)
    results["validate_6144_ms"] = statistics.median(validation) / 1e6
    results["validate_round_trip_ms"] = validate_round_trip(text)
    return results


def validate_round_trip(text: str) -> float:
    """POST /api/v1/policies/validate through Django and DRF in-process (no network), as the root user."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()
    from rest_framework.test import APIRequestFactory, force_authenticate

    from directory.models import User
    from iam_console.rest.policies import ValidatePolicyView

    root = User(account_id="123456789012", user_name="root", is_superuser=True, user_id="AIDABENCHMARKROOT0000")
    view = ValidatePolicyView.as_view()
    factory = APIRequestFactory()
    body = {"policy_document": text, "policy_type": "IDENTITY_POLICY"}
    samples = []
    for _ in range(100):
        request = factory.post("/api/v1/policies/validate", body, format="json")
        force_authenticate(request, user=root)
        start = time.perf_counter_ns()
        response = view(request)
        samples.append(time.perf_counter_ns() - start)
        assert response.status_code == 200, response.data
    return statistics.median(samples) / 1e6


if __name__ == "__main__":
    figures = main()
    base = figures["10x10"][0]
    lines = [
        "| measurement | p50 | p99 |",
        "|---|---|---|",
        f"| one decision, 10 policies × 10 statements with conditions | {figures['10x10'][0]:.1f} µs | "
        f"{figures['10x10'][1]:.1f} µs |",
        f"| one decision, 10 × 10 under an SCP path of 3 levels × 3 SCPs | {figures['10x10_scp'][0]:.1f} µs "
        f"(+{figures['10x10_scp'][0] - base:.1f} µs) | {figures['10x10_scp'][1]:.1f} µs |",
        f"| one decision, 10 policies × 100 statements (10× more) | {figures['10x100'][0]:.1f} µs "
        f"({figures['10x100'][0] / base:.1f}×) | {figures['10x100'][1]:.1f} µs |",
        f"| one decision, 100 policies × 10 statements (10× more) | {figures['100x10'][0]:.1f} µs "
        f"({figures['100x10'][0] / base:.1f}×) | {figures['100x10'][1]:.1f} µs |",
        f"| one decision, worst case: 120 policies of 6,144 characters | {figures['120x6144'][0]:.1f} µs | "
        f"{figures['120x6144'][1]:.1f} µs |",
        f"| one decision, worst case without shared resources/conditions: 120 policies of 6,144 characters | "
        f"{figures['120x6144_unshared'][0]:.1f} µs | {figures['120x6144_unshared'][1]:.1f} µs |",
        f"| decisions per second (10 × 10, one core) | {figures['decisions_per_second']:,.0f} | |",
        f"| validate() of a 6,144-character policy | {figures['validate_6144_ms']:.2f} ms | |",
        f"| POST /api/v1/policies/validate round trip in-process | {figures['validate_round_trip_ms']:.2f} ms | |",
    ]
    report = "\n".join(lines)
    print(report)
    results_dir = ROOT / "benchmarks" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "policy_engine.md").write_text("# Policy engine (2-core machine, CPython 3.11)\n\n" + report + "\n")
