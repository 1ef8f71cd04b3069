"""The console's Switch-role credentials panel: its ~/.aws/config profiles work with the AWS CLI as pasted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

from django.test import Client

from tests.console.conftest import USER_PASSWORD, sign_in
from tests.sts.conftest import READ_ONLY, trust, user_arn

AWS = str(Path(sys.executable).with_name("aws"))


def aws_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "AWS_CONFIG_FILE": str(tmp_path / "config"),
           "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "nothing"), "AWS_MAX_ATTEMPTS": "1"}
    return subprocess.run([AWS, *args, "--output", "json"], env=env, capture_output=True, text=True, timeout=120,
                          check=False)


def test_pasted_profiles_reach_the_directory_as_the_role_session(transactional_db, live_server, make_user,
                                                                 make_role, tmp_path):
    make_user("alice", password=USER_PASSWORD)
    make_role("reader", trust(user_arn("alice")), policies=(READ_ONLY,))
    browser = Client(HTTP_HOST=urlparse(live_server.url).netloc)
    assert sign_in(browser, "alice", USER_PASSWORD).status_code == 302
    response = browser.post("/switch-role/", {"account": "123456789012", "role_name": "reader", "display_name": "",
                                              "color": "blue", "duration_seconds": 3600})
    assert response.status_code == 302  # post/redirect/get: the credentials are shown once, on the next page
    response = browser.get(response["Location"])
    assert response.status_code == 200
    snippets = response.context["snippets"]
    assert f"endpoint_url = {live_server.url}" in snippets["config"]
    assert snippets["try"] == "aws sts get-caller-identity --profile reader"
    (tmp_path / "config").write_text(snippets["config"] + "\n\n" + snippets["credential_process"] + "\n")

    for profile in ("reader", "reader-process"):
        identity = aws_cli(tmp_path, "sts", "get-caller-identity", "--profile", profile)
        assert identity.returncode == 0, identity.stderr
        assert json.loads(identity.stdout)["Arn"] == "arn:aws:sts::123456789012:assumed-role/reader/alice"
        users = aws_cli(tmp_path, "iam", "list-users", "--profile", profile)
        assert users.returncode == 0, users.stderr
        assert [user["UserName"] for user in json.loads(users.stdout)["Users"]] == ["alice"]
    body = response.content.decode()
    assert "credential_process = echo" in body and f"endpoint_url = {live_server.url}" in body
