"""The `iam-directory` command: `iam-directory sso login --profile P`."""

from __future__ import annotations

import argparse
import os
import sys

from iam_directory_client.sso import DeviceCode, SsoLoginError, login


def _show(code: DeviceCode) -> None:
    print("To sign in, open this page in a browser and allow the code it shows:", flush=True)
    print(f"  {code.verification_uri_complete}", flush=True)
    print(f"Code: {code.user_code}  (or open {code.verification_uri} and type it)", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="iam-directory", description="Tools for a self-hosted IAM directory.")
    services = parser.add_subparsers(dest="service", required=True)
    sso = services.add_parser("sso", help="Workforce sign-in (IAM Identity Center).")
    commands = sso.add_subparsers(dest="command", required=True)
    signing_in = commands.add_parser(
        "login", help="Sign a profile's sso-session in and cache its token where boto3 and the AWS CLI read it.")
    signing_in.add_argument("--profile", default=None, help="The profile in ~/.aws/config (default: AWS_PROFILE, "
                                                            "else default).")
    arguments = parser.parse_args(argv)
    profile = arguments.profile or os.environ.get("AWS_PROFILE") or "default"
    try:
        token = login(profile, show=_show)
    except SsoLoginError as error:
        print(f"sso login failed: {error}", file=sys.stderr)
        return 1
    print(f"Signed in. The token for {token['startUrl']} lasts until {token['expiresAt']:%Y-%m-%d %H:%M} UTC.")
    return 0
