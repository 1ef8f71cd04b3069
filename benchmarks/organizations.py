"""Measure decisions under an organization of 1,000 accounts in 200 OUs with 3 SCPs at every level, beside the same
decision for an account outside the organization (same run), and ListAccounts through boto3.

Decisions: GetUser through the Query API, in-process through Django's WSGI handler (server-side time, each request
SigV4-signed before its timer starts), for a user of a member account three levels deep and for a user with the
same policies in a standalone account. ListAccounts: boto3 against the WSGI application served on loopback.

    .venv/bin/python benchmarks/organizations.py [--requests 1000]   # writes benchmarks/results/organizations.md
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

os.environ.setdefault("IAM_BENCH_DATABASE", "iam_bench_org")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import common, seed_directory  # noqa: E402

FORM = "application/x-www-form-urlencoded; charset=utf-8"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ACCOUNTS, TOP_UNITS, CHILDREN = 1000, 40, 4  # 40 OUs under the root, 4 under each: 200 OUs
SCP = "SERVICE_CONTROL_POLICY"


def scp(index: int) -> str:
    """Guardrails as teams write them: a deny of something else, and an allow of every service."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoLeaving", "Effect": "Deny", "Action": [f"organizations:Leave{index}", "account:CloseAccount"],
         "Resource": "*"},
        {"Sid": "Regions", "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
         "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}}},
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})


def seed() -> tuple[object, object]:
    """The organization; returns (member user with a key, standalone user with a key)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import Account, OrganizationalUnit, PolicyAttachment
    from directory.services import access_keys, attachments, users
    from directory.services.accounts import make_member_account
    from directory.services.root import bootstrap_root_user
    from iam_console.callers import Caller
    from organizations.services import members, policies, units
    from organizations.services import organization as org

    credentials = bootstrap_root_user(user_name="root", password="Bench-Root-Passw0rd!", with_access_key=True)
    common.save_credentials(credentials.access_key_id, credentials.secret_access_key)
    from directory.models import User

    root = Caller(principal=User.objects.get(is_superuser=True, account__is_management=True))
    management = Account.objects.get(is_management=True)
    standalone = make_member_account(management_account_id=management.pk, account_name="Standalone",
                                     email="standalone@example.com").account
    made = org.create_organization(caller=root)
    members.remove_account_from_organization(caller=root, account_id=standalone.pk)
    org.enable_policy_type(caller=root, root_id=made.root_id, policy_type=SCP)
    guardrails = [policies.create_policy(caller=root, content=scp(index), description="", name=f"Guardrail{index}",
                                         policy_type=SCP).policy for index in range(2)]
    leaves = []
    for top in range(TOP_UNITS):
        parent = units.create_organizational_unit(caller=root, parent_id=made.root_id, name=f"Unit {top}").unit
        leaves += [units.create_organizational_unit(caller=root, parent_id=parent.id, name=f"Team {child}").unit
                   for child in range(CHILDREN)]
    accounts = []
    for index in range(ACCOUNTS - 1):
        account = make_member_account(management_account_id=management.pk, account_name=f"Account {index}",
                                      email=f"account-{index}@example.com").account
        account.parent_unit = leaves[index % len(leaves)]
        account.save(update_fields=["parent_unit"])
        accounts.append(account)
    targets = [made.root_id, *OrganizationalUnit.objects.values_list("id", flat=True), *(a.pk for a in accounts)]
    PolicyAttachment.objects.bulk_create([PolicyAttachment(policy=policy, target_id=target, policy_type=SCP)
                                          for policy in guardrails for target in targets], ignore_conflicts=True)

    def user_in(account) -> tuple[object, str, str]:
        caller = Caller(principal=User.objects.get(account=account, is_superuser=True))
        user = users.create_user(caller=caller, user_name="bench")
        attachments.attach_user_policy(caller=caller, user_name="bench", policy_arn=READ_ONLY)
        key = access_keys.create_access_key(caller=caller, user_name="bench")
        return user, key.access_key.access_key_id, key.secret_access_key

    return user_in(accounts[-1]), user_in(standalone)


class Signed:
    def __init__(self, key_id: str, secret: str) -> None:
        from tests.support.signing import SignedClient

        self.signer = SignedClient(key_id, secret, service="iam")

    def get_user(self) -> float:
        body = urlencode({"Action": "GetUser", "Version": "2010-05-08", "UserName": "bench"}).encode()
        headers = self.signer.signed_headers("POST", "/", body, FORM)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() not in {"content-type", "host"}}
        started = time.perf_counter()
        response = self.signer.client.generic("POST", "/", data=body, content_type=FORM, HTTP_HOST="testserver",
                                              **extra)
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.content[:300]
        return elapsed


def serve() -> str:
    """The WSGI application on a loopback port, in a thread: boto3 talks HTTP to it."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from django.core.wsgi import get_wsgi_application

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = make_server("127.0.0.1", 0, get_wsgi_application(), server_class=WSGIServer, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    args = parser.parse_args()
    seed_directory.recreate_database()
    common.setup_django()
    started = time.perf_counter()
    (_, member_key, member_secret), (_, alone_key, alone_secret) = seed()
    seeded = time.perf_counter() - started
    in_org, outside = Signed(member_key, member_secret), Signed(alone_key, alone_secret)
    for _ in range(50):  # warm up: connections, compiled policies and guardrails, loaded models
        in_org.get_user()
        outside.get_user()
    with_org, without_org = [], []
    for _ in range(args.requests):  # taken in turn, so both see the same machine
        with_org.append(in_org.get_user())
        without_org.append(outside.get_user())

    import boto3
    from botocore.config import Config

    root_key = common.load_credentials()
    client = boto3.session.Session(aws_access_key_id=root_key["access_key_id"],
                                   aws_secret_access_key=root_key["secret_access_key"],
                                   region_name="us-east-1").client(
        "organizations", endpoint_url=serve(), config=Config(retries={"max_attempts": 1}))
    pages, token = [], None
    for _ in range(10):
        client.list_accounts(MaxResults=20)
    for _ in range(max(args.requests // 5, 50)):
        started = time.perf_counter()
        answer = client.list_accounts(MaxResults=20, **({"NextToken": token} if token else {}))
        pages.append(time.perf_counter() - started)
        token = answer.get("NextToken")
    started = time.perf_counter()
    every = sum(len(page["Accounts"]) for page in client.get_paginator("list_accounts").paginate())
    walk = time.perf_counter() - started

    from accounts.models import Account, OrganizationalUnit

    p50 = statistics.median
    ratio = p50(with_org) / p50(without_org)
    rows = [
        ("GetUser p50, member account 3 levels deep (root, 2 OUs, account: 3 SCPs at each)", ms(p50(with_org)),
         "≤ 1.2 × without"),
        ("GetUser p50, same policies, account outside the organization (same run)", ms(p50(without_org)), ""),
        ("with / without (p50)", f"{ratio:.2f} ×", "≤ 1.2 ×"),
        ("ListAccounts p50 through boto3 (MaxResults=20, the model's most; HTTP on loopback)", ms(p50(pages)),
         "≤ 50 ms"),
        (f"ListAccounts, every page through boto3's paginator ({every:,} accounts)", ms(walk), ""),
        ("Load average while measuring (1 min)", f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", ""),
    ]
    machine = f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    lines = [
        "# Benchmark: decisions under an organization, and ListAccounts",
        "",
        f"- Organization: {Account.objects.filter(organization__isnull=False).count():,} accounts, "
        f"{OrganizationalUnit.objects.count()} OUs (40 under the root, 4 under each), FullAWSAccess and 2 more SCPs "
        f"attached to the root, every OU and every account (seeded in {seeded:.0f} s)",
        f"- Decisions: {args.requests} Query API GetUser requests each, in-process through Django's WSGI handler, "
        "taken in turn; every request SigV4-signed before its timer starts",
        "- ListAccounts: boto3 against the WSGI application served on loopback (wsgiref, one thread)",
        f"- Machine: {machine}; PostgreSQL on the same machine",
        "- Command: `.venv/bin/python benchmarks/organizations.py`",
        "",
        "| measure | result | target |",
        "| --- | --- | --- |",
        *[f"| {name} | {value} | {target} |" for name, value, target in rows],
        "",
    ]
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    (common.RESULTS / "organizations.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
