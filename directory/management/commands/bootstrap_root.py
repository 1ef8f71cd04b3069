"""Create the root user (the account owner) and print its credentials once, as JSON."""

from __future__ import annotations

import json
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directory.services.root import bootstrap_root_user, reset_root_password, root_user
from iam_console.errors import IAMError


class Command(BaseCommand):
    help = ("Create the root user with a generated password (or IAM_ROOT_PASSWORD / --password) and, with "
            "--access-key, an access key. Prints user_name, password, access_key_id and secret_access_key once "
            "as JSON. With --if-missing, does nothing when a root user exists.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user-name", default=settings.IAM_ROOT_USER_NAME)
        parser.add_argument("--password", help="Use this password instead of a generated one (or IAM_ROOT_PASSWORD).")
        parser.add_argument("--access-key", action="store_true", help="Also create an access key for scripts.")
        parser.add_argument("--if-missing", action="store_true", help="Exit quietly when a root user exists.")
        parser.add_argument("--reset-password", action="store_true", help="Give the existing root a new password.")

    def handle(self, *args, **options) -> None:
        password = options["password"] or os.environ.get("IAM_ROOT_PASSWORD") or None
        try:
            if options["reset_password"]:
                credentials = reset_root_password(password=password)
            elif options["if_missing"] and root_user() is not None:
                return
            else:
                credentials = bootstrap_root_user(user_name=options["user_name"], password=password,
                                                  with_access_key=options["access_key"])
        except IAMError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(json.dumps({
            "user_name": credentials.user_name,
            "password": credentials.password,
            "access_key_id": credentials.access_key_id,
            "secret_access_key": credentials.secret_access_key,
        }, indent=2))
