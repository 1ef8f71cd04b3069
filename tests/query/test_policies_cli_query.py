"""The AWS CLI (v1) for policies, roles, attachments, the simulator and MFA devices: documents from files,
documents decoded on the way back, and a QR code written to a file."""

from __future__ import annotations

import json

import pytest

from tests.query.iam_clients import ALLOW_S3_READ, TRUST_ANYONE_IN_ACCOUNT
from tests.query.test_aws_cli import cli  # noqa: F401 - the AWS CLI fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_role_with_policies_through_the_cli(cli, live_server, tmp_path):  # noqa: F811
    endpoint = ["--endpoint-url", live_server.url]
    (tmp_path / "trust.json").write_text(TRUST_ANYONE_IN_ACCOUNT)
    (tmp_path / "read.json").write_text(ALLOW_S3_READ)
    arn = cli("iam", "create-policy", "--policy-name", "read", "--policy-document", f"file://{tmp_path}/read.json",
              *endpoint)["Policy"]["Arn"]
    cli("iam", "create-role", "--role-name", "app", "--assume-role-policy-document",
        f"file://{tmp_path}/trust.json", *endpoint)
    cli("iam", "attach-role-policy", "--role-name", "app", "--policy-arn", arn, *endpoint)
    cli("iam", "put-role-policy", "--role-name", "app", "--policy-name", "inline", "--policy-document",
        f"file://{tmp_path}/read.json", *endpoint)
    inline = cli("iam", "get-role-policy", "--role-name", "app", "--policy-name", "inline", *endpoint)
    assert inline["PolicyDocument"] == json.loads(ALLOW_S3_READ)  # URL-encoded on the wire, JSON for the CLI
    details = cli("iam", "get-account-authorization-details", "--filter", "Role", *endpoint)
    [role] = details["RoleDetailList"]
    assert role["AttachedManagedPolicies"] == [{"PolicyName": "read", "PolicyArn": arn}]
    simulated = cli("iam", "simulate-principal-policy", "--policy-source-arn", role["Arn"], "--action-names",
                    "s3:GetObject", "s3:PutObject", *endpoint)["EvaluationResults"]
    assert [r["EvalDecision"] for r in simulated] == ["allowed", "implicitDeny"]

    device = cli("iam", "create-virtual-mfa-device", "--virtual-mfa-device-name", "cli-phone", "--outfile",
                 f"{tmp_path}/qr.png", "--bootstrap-method", "QRCodePNG", *endpoint)["VirtualMFADevice"]
    assert (tmp_path / "qr.png").read_bytes().startswith(b"\x89PNG\r\n")
    cli("iam", "delete-virtual-mfa-device", "--serial-number", device["SerialNumber"], *endpoint)

    conflict = cli("iam", "delete-policy", "--policy-arn", arn, *endpoint, expect_ok=False)
    assert "DeleteConflict" in conflict
    cli("iam", "detach-role-policy", "--role-name", "app", "--policy-arn", arn, *endpoint)
    cli("iam", "delete-role-policy", "--role-name", "app", "--policy-name", "inline", *endpoint)
    cli("iam", "delete-role", "--role-name", "app", *endpoint)
    cli("iam", "delete-policy", "--policy-arn", arn, *endpoint)
    assert "NoSuchEntity" in cli("iam", "get-role", "--role-name", "app", *endpoint, expect_ok=False)
