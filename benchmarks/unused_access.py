"""Measure an unused-access analyzer's evaluation: 10,000 principals (5,000 users, 5,000 roles) with groups, managed
and inline policies, access keys and console passwords, over 10 million recorded decisions (ActionUsage rows whose
counts sum to 10,000,000), in a database of its own (`iam_bench_unused`).

The first run creates the findings; the runs after it find the same access unused and change nothing but the
analysis time, as the scheduled re-evaluation does. Each run is the whole evaluation in one transaction (what the
Celery task does). The run fails when a finding is duplicated or the median run exceeds 60 s.

    .venv/bin/python benchmarks/unused_access.py [--principals 10000] [--decisions 10000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import common  # noqa: E402
from benchmarks.seed_directory import copy_rows  # noqa: E402

DATABASE = os.environ.get("IAM_BENCH_UNUSED_DATABASE", "iam_bench_unused")
TARGET_SECONDS = 60.0
# Customer managed policies the principals hold, one service's slice each: what teams write.
POLICY_ACTIONS = [["iam:Get*", "iam:List*"], ["iam:*AccessKey*"], ["sts:*"], ["organizations:Describe*"],
                  ["organizations:List*"], ["iam:*Role*"], ["iam:*Group*", "iam:*User*"], ["iam:*Policy*"],
                  ["sso:*"], ["identitystore:*"], ["iam:Tag*", "iam:Untag*"], ["iam:*MFA*"]]


def seed(principals: int, decisions: int, rng: random.Random) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from directory.credentials import new_secret_nonce
    from directory.models import (
        AccessKey,
        Group,
        GroupMembership,
        GroupPolicyAttachment,
        Role,
        RoleInlinePolicy,
        RolePolicyAttachment,
        User,
        UserPolicyAttachment,
    )
    from directory.services.root import bootstrap_root_user
    from evidence.models import ActionUsage
    from iam_console import identifiers
    from iam_console.callers import Caller
    from policies.language.actions import expand
    from policies.models import ManagedPolicy
    from policies.services import managed

    bootstrap_root_user(user_name="root", password=None, with_access_key=False)
    root_user = User.objects.get(is_superuser=True)
    account = root_user.account_id
    root = Caller(principal=root_user)
    policies = []
    for number, actions in enumerate(POLICY_ACTIONS):
        document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        policies.append(managed.create_policy(caller=root, policy_name=f"team-{number}",
                                              policy_document=json.dumps(document)).pk)
    policies += list(ManagedPolicy.objects.filter(is_system=True, policy_name__in=[
        "IAMReadOnlyAccess", "IAMUserChangePassword"]).values_list("pk", flat=True))
    long_ago = timezone.now() - timedelta(days=200)
    users, roles = principals // 2, principals - principals // 2
    with transaction.atomic():
        copy_rows(User, [{
            "account_id": account, "password": "!", "last_login": long_ago + timedelta(days=rng.randint(0, 199))
            if number % 3 else None, "user_name": f"user-{number:06d}", "path": "/",
            "user_id": identifiers.new_unique_id(identifiers.USER_ID_PREFIX), "create_date": long_ago,
            "is_superuser": False, "login_profile_create_date": long_ago if number % 2 else None,
            "password_reset_required": False, "password_last_changed": None, "locked_until": None,
        } for number in range(users)])
        copy_rows(Role, [{
            "account_id": account, "role_name": f"role-{number:06d}", "path": "/",
            "role_id": identifiers.new_unique_id(identifiers.ROLE_ID_PREFIX), "description": "",
            "assume_role_policy_document": "{}", "max_session_duration": 3600, "create_date": long_ago,
            "sessions_revoked_before": None, "trust_policy_version": 1,
            "last_used_date": long_ago + timedelta(days=rng.randint(0, 199)) if number % 4 else None,
        } for number in range(roles)])
        copy_rows(Group, [{"account_id": account, "group_name": f"group-{number}", "path": "/",
                           "group_id": identifiers.new_unique_id(identifiers.GROUP_ID_PREFIX), "create_date": long_ago}
                          for number in range(20)])
        user_rows = list(User.objects.filter(is_superuser=False).values_list("pk", "user_id"))
        role_rows = list(Role.objects.values_list("pk", "role_id"))
        group_pks = list(Group.objects.values_list("pk", flat=True))
        copy_rows(GroupPolicyAttachment, [{"group_id": group, "policy_id": rng.choice(policies),
                                           "create_date": long_ago} for group in group_pks])
        copy_rows(GroupMembership, [{"user_id": pk, "group_id": group, "create_date": long_ago}
                                    for pk, _ in user_rows for group in rng.sample(group_pks, rng.randint(1, 2))])
        copy_rows(UserPolicyAttachment, [{"user_id": pk, "policy_id": policy, "create_date": long_ago}
                                         for pk, _ in user_rows for policy in rng.sample(policies, 1)])
        copy_rows(RolePolicyAttachment, [{"role_id": pk, "policy_id": policy, "create_date": long_ago}
                                         for pk, _ in role_rows for policy in rng.sample(policies, rng.randint(1, 3))])
        copy_rows(RoleInlinePolicy, [{
            "role_id": pk, "policy_name": "inline", "update_date": long_ago, "document": json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": rng.choice(POLICY_ACTIONS),
                                                        "Resource": "*"}]})} for pk, _ in role_rows[::2]])
        copy_rows(AccessKey, [{
            "user_id": pk, "access_key_id": identifiers.new_access_key_id(), "secret_nonce": new_secret_nonce(),
            "status": "Active", "create_date": long_ago, "last_used_service": "", "last_used_region": "",
            "last_used_date": long_ago + timedelta(days=rng.randint(0, 199)) if number % 2 else None,
        } for number, (pk, _) in enumerate(user_rows) if number % 5])
        # 10 million decisions: 30 actions for most principals, their counts summing exactly to `decisions`.
        catalogue = [(info.service, info.name) for pattern in ("iam:*", "sts:*", "organizations:*")
                     for info in expand(pattern)]
        acting = [("user", unique) for _, unique in user_rows] + [("role", unique) for _, unique in role_rows]
        acting = [entity for number, entity in enumerate(acting) if number % 10]  # a tenth never acts at all
        keys = [(kind, unique, service, name) for kind, unique in acting
                for service, name in rng.sample(catalogue, 30)]
        share, rest = divmod(decisions, len(keys))
        copy_rows(ActionUsage, [{
            "account_id": account, "entity_type": kind, "entity_id": unique, "service": service, "action": name,
            "allowed": True, "count": share + (1 if number < rest else 0),
            "last_at": long_ago + timedelta(days=rng.randint(0, 199), seconds=rng.randint(0, 86399)),
            "last_principal_arn": "arn", "last_source": "query",
        } for number, (kind, unique, service, name) in enumerate(keys)])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    total = ActionUsage.objects.values_list("count", flat=True)
    return {"users": users, "roles": roles, "usage_rows": len(keys), "decisions": sum(total)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--principals", type=int, default=10_000)
    parser.add_argument("--decisions", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20261208)
    args = parser.parse_args()

    common.fresh_database(DATABASE)
    started = time.perf_counter()
    seeded = seed(args.principals, args.decisions, random.Random(args.seed))
    seeding = time.perf_counter() - started
    from django.db.models import Count

    from analyzers import evaluation
    from analyzers.models import Analyzer, Finding

    analyzer = Analyzer.objects.create(account_id="123456789012", name="unused", type="ACCOUNT_UNUSED_ACCESS",
                                       unused_access_age=90)
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        evaluation.evaluate(analyzer.pk)
        timings.append(time.perf_counter() - began)
    findings = dict(Finding.objects.filter(analyzer=analyzer).values_list("finding_type").annotate(n=Count("id")))
    duplicated = (Finding.objects.filter(analyzer=analyzer).values("resource", "finding_type", "detail_key")
                  .annotate(n=Count("id")).filter(n__gt=1).count())
    if duplicated:
        raise SystemExit(f"{duplicated} findings are duplicated")
    p50 = statistics.median(timings)
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, Linux"
    lines = [
        "# Benchmark: unused-access evaluation",
        "",
        f"- {seeded['users']:,} users and {seeded['roles']:,} roles, {seeded['usage_rows']:,} ActionUsage rows "
        f"counting {seeded['decisions']:,} decisions (seeded in {seeding:.0f} s); tracking period 90 days; "
        f"machine: {machine}",
        "- findings: " + ", ".join(f"{count:,} {kind}" for kind, count in sorted(findings.items())),
        "",
        "| runs | first run (creates the findings) | p50 of all runs | slowest | target |",
        "| --- | --- | --- | --- | --- |",
        f"| {len(timings)} | {timings[0]:.1f} s | {p50:.1f} s | {max(timings):.1f} s | ≤ {TARGET_SECONDS:.0f} s |",
        "",
    ]
    report = "\n".join(lines)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "unused_access.md").write_text(report)
    print(report)
    return 0 if p50 <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
