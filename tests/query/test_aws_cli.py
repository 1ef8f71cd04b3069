"""The AWS CLI (v1) against a live server: a scripted onboarding and offboarding, configured three ways."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AWS = str(Path(sys.executable).with_name("aws"))


@pytest.fixture
def cli(live_server, root_credentials, tmp_path):
    """Run `aws …` with a clean environment: credentials and endpoint only from what each test passes."""

    def run(*args: str, env: dict | None = None, expect_ok: bool = True) -> dict | str:
        base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": str(tmp_path / "config"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "creds"),
                "AWS_MAX_ATTEMPTS": "1", "AWS_ACCESS_KEY_ID": root_credentials.access_key_id,
                "AWS_SECRET_ACCESS_KEY": root_credentials.secret_access_key}
        base.update(env or {})
        done = subprocess.run([AWS, *args, "--output", "json"], env=base, capture_output=True, text=True,
                              timeout=120, check=False)
        if expect_ok:
            assert done.returncode == 0, done.stderr
            return json.loads(done.stdout) if done.stdout.strip() else {}
        assert done.returncode != 0
        return done.stderr

    return run


def test_scripted_onboarding_and_offboarding(cli, live_server, tmp_path):
    endpoint = ["--endpoint-url", live_server.url]
    cli("iam", "create-group", "--group-name", "developers", *endpoint)
    created = cli("iam", "create-user", "--user-name", "newhire", "--tags", "Key=team,Value=web", *endpoint)
    assert created["User"]["Arn"] == "arn:aws:iam::123456789012:user/newhire"
    cli("iam", "add-user-to-group", "--group-name", "developers", "--user-name", "newhire", *endpoint)
    cli("iam", "create-login-profile", "--user-name", "newhire", "--password", "Welcome-aboard-1!",
        "--password-reset-required", *endpoint)
    key = cli("iam", "create-access-key", "--user-name", "newhire", *endpoint)["AccessKey"]
    groups = cli("iam", "list-groups-for-user", "--user-name", "newhire", *endpoint)["Groups"]
    assert [group["GroupName"] for group in groups] == ["developers"]

    # The new hire's own profile, endpoint in ~/.aws/config as the console's credentials panel writes it.
    (tmp_path / "config").write_text(f"[profile newhire]\nregion = us-east-1\nendpoint_url = {live_server.url}\n")
    (tmp_path / "creds").write_text(f"[newhire]\naws_access_key_id = {key['AccessKeyId']}\n"
                                    f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    own = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    identity = cli("sts", "get-caller-identity", "--profile", "newhire", env=own)
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/newhire"
    denied = cli("iam", "list-users", "--profile", "newhire", env=own, expect_ok=False)
    assert "AccessDenied" in denied

    # A `services` section naming each service's endpoint works too.
    (tmp_path / "config").write_text(
        f"[profile via-services]\nregion = us-east-1\nservices = directory\n\n"
        f"[services directory]\niam =\n  endpoint_url = {live_server.url}\nsts =\n  endpoint_url = {live_server.url}\n")
    (tmp_path / "creds").write_text(f"[via-services]\naws_access_key_id = {key['AccessKeyId']}\n"
                                    f"aws_secret_access_key = {key['SecretAccessKey']}\n")
    identity = cli("sts", "get-caller-identity", "--profile", "via-services", env=own)
    assert identity["Arn"] == "arn:aws:iam::123456789012:user/newhire"

    # Service-specific endpoint variables work too (no --endpoint-url).
    by_variable = {"AWS_ENDPOINT_URL_IAM": live_server.url}
    users = cli("iam", "list-users", env=by_variable)["Users"]
    assert [user["UserName"] for user in users] == ["newhire"]

    # Offboarding, in the order DeleteUser needs.
    cli("iam", "delete-access-key", "--user-name", "newhire", "--access-key-id", key["AccessKeyId"], *endpoint)
    cli("iam", "delete-login-profile", "--user-name", "newhire", *endpoint)
    conflict = cli("iam", "delete-user", "--user-name", "newhire", *endpoint, expect_ok=False)
    assert "DeleteConflict" in conflict
    cli("iam", "remove-user-from-group", "--group-name", "developers", "--user-name", "newhire", *endpoint)
    cli("iam", "delete-user", "--user-name", "newhire", *endpoint)
    missing = cli("iam", "get-user", "--user-name", "newhire", *endpoint, expect_ok=False)
    assert "NoSuchEntity" in missing
