"""Populate a running directory through its public APIs, and prove later that everyone can still get in.

Used where the directory's data crosses a boundary: a backup restored into a new database, a release upgraded
in place. Everything goes through the AWS Query API (boto3) and the console's sign-in page, which are stable
across releases, so the checks hold whatever the tables underneath become: the same ids and ARNs, every access
key still signs, a live role session still authenticates, an MFA device still verifies a code, a password still
signs in, and policies still decide the same way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import struct
import time
from dataclasses import dataclass, field

import boto3
import botocore.config
import botocore.exceptions
import requests

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
PASSWORD = "Backup-And-Upgrade-0!"


def totp(seed: bytes, step: int) -> str:
    digest = hmac.new(seed, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def client(service: str, url: str, key_id: str, secret: str, token: str | None = None):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key_id,
                        aws_secret_access_key=secret, aws_session_token=token,
                        config=botocore.config.Config(retries={"max_attempts": 1}))


@dataclass
class DirectoryState:
    """What was created, with the secrets only its creator saw, and the ids and ARNs the directory gave it."""

    root_key: tuple[str, str]
    alice_key: tuple[str, str] = ("", "")
    mfa_serial: str = ""
    mfa_seed: bytes = b""
    session: tuple[str, str, str] = ("", "", "")
    session_arn: str = ""
    identities: dict[str, str] = field(default_factory=dict)


def populate(url: str, root_key: tuple[str, str]) -> DirectoryState:
    state = DirectoryState(root_key=root_key)
    iam = client("iam", url, *root_key)
    readers = iam.create_group(GroupName="readers")["Group"]
    iam.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)
    for name in ("alice", "bob"):
        user = iam.create_user(UserName=name, Path="/staff/", Tags=[{"Key": "team", "Value": "ops"}])["User"]
        iam.create_login_profile(UserName=name, Password=PASSWORD, PasswordResetRequired=False)
        iam.add_user_to_group(GroupName="readers", UserName=name)
        state.identities[f"user/{name}"] = f"{user['Arn']} {user['UserId']}"
    state.identities["group/readers"] = f"{readers['Arn']} {readers['GroupId']}"
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    state.alice_key = (key["AccessKeyId"], key["SecretAccessKey"])
    policy = iam.create_policy(PolicyName="ListRolesOnly", PolicyDocument=(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]}'
    ))["Policy"]
    state.identities["policy/ListRolesOnly"] = f"{policy['Arn']} {policy['PolicyId']}"
    alice_arn = state.identities["user/alice"].split()[0]
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": alice_arn},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName="Deployer", AssumeRolePolicyDocument=json.dumps(trust),
                           MaxSessionDuration=3600)["Role"]
    iam.attach_role_policy(RoleName="Deployer", PolicyArn=policy["Arn"])
    state.identities["role/Deployer"] = f"{role['Arn']} {role['RoleId']}"
    # alice's own device, enrolled as an authenticator app does: two consecutive codes.
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    seed_text = device["Base32StringSeed"]
    seed_text = seed_text.decode() if isinstance(seed_text, bytes) else seed_text
    state.mfa_serial = device["SerialNumber"]
    state.mfa_seed = base64.b32decode(seed_text + "=" * (-len(seed_text) % 8))
    step = int(time.time()) // 30
    iam.enable_mfa_device(UserName="alice", SerialNumber=state.mfa_serial,
                          AuthenticationCode1=totp(state.mfa_seed, step - 1),
                          AuthenticationCode2=totp(state.mfa_seed, step))
    credentials = client("sts", url, *state.alice_key).assume_role(
        RoleArn=role["Arn"], RoleSessionName="before", DurationSeconds=3600)
    creds = credentials["Credentials"]
    state.session = (creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])
    state.session_arn = credentials["AssumedRoleUser"]["Arn"]
    return state


def identities(url: str, root_key: tuple[str, str]) -> dict[str, str]:
    """Every identity's ARN and unique id as the directory answers them now."""
    iam = client("iam", url, *root_key)
    found = {}
    for user in iam.list_users()["Users"]:
        found[f"user/{user['UserName']}"] = f"{user['Arn']} {user['UserId']}"
    for group in iam.list_groups()["Groups"]:
        found[f"group/{group['GroupName']}"] = f"{group['Arn']} {group['GroupId']}"
    for role in iam.list_roles()["Roles"]:
        found[f"role/{role['RoleName']}"] = f"{role['Arn']} {role['RoleId']}"
    for policy in iam.list_policies(Scope="Local")["Policies"]:
        found[f"policy/{policy['PolicyName']}"] = f"{policy['Arn']} {policy['PolicyId']}"
    return found


def refused(call, code: str) -> bool:
    try:
        call()
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"] == code
    return False


def console_sign_in(url: str, user_name: str, password: str, account: str | None = None) -> requests.Response:
    """Sign in through the console's page; `account` (an id or alias) as typed into its account field, if any."""
    browser = requests.Session()
    page = browser.get(url + "/sign-in/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "the sign-in page has a CSRF token"
    fields = {"user_name": user_name, "password": password, "csrfmiddlewaretoken": token.group(1)}
    if account is not None:
        fields["account"] = account
    return browser.post(url + "/sign-in/", data=fields, headers={"Referer": url + "/sign-in/"},
                        allow_redirects=False, timeout=30)


def verify(url: str, state: DirectoryState) -> None:
    """Assert that everything populate() created still works as it did; raises AssertionError naming what not."""
    assert identities(url, state.root_key) == state.identities, "ids and ARNs are unchanged"
    alice_arn = state.identities["user/alice"].split()[0]
    # alice's access key signs, and her policies (a group's managed policy) decide as before.
    alice_sts = client("sts", url, *state.alice_key)
    assert alice_sts.get_caller_identity()["Arn"] == alice_arn
    alice_iam = client("iam", url, *state.alice_key)
    assert {u["UserName"] for u in alice_iam.list_users()["Users"]} >= {"alice", "bob"}
    assert refused(lambda: alice_iam.create_user(UserName="mallory"), "AccessDenied")
    # The role session created before still authenticates, with the role's permissions only.
    session = client("iam", url, *state.session)
    assert client("sts", url, *state.session).get_caller_identity()["Arn"] == state.session_arn
    assert "Deployer" in {r["RoleName"] for r in session.list_roles()["Roles"]}
    assert refused(lambda: session.list_users(), "AccessDenied")
    # The MFA device verifies a fresh code (one step ahead: never a code already used).
    code = totp(state.mfa_seed, int(time.time()) // 30 + 1)
    mfa_session = alice_sts.get_session_token(SerialNumber=state.mfa_serial, TokenCode=code)["Credentials"]
    assert mfa_session["AccessKeyId"].startswith("ASIA")
    assert refused(lambda: alice_sts.get_session_token(SerialNumber=state.mfa_serial, TokenCode="000000"),
                   "AccessDenied")
    # A password still signs in to the console; a wrong one does not.
    signed_in = console_sign_in(url, "bob", PASSWORD)
    assert signed_in.status_code == 302 and "sign-in" not in signed_in.headers["Location"], signed_in.text[:500]
    assert console_sign_in(url, "bob", PASSWORD + "x").status_code != 302
    # Root's key still signs too.
    assert client("sts", url, *state.root_key).get_caller_identity()["Arn"].endswith(":root")
