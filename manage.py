#!/usr/bin/env python
"""Django's command-line utility for the IAM console."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    if sys.argv[1:2] == ["runconsole"]:
        # The local console: a SECRET_KEY generated into .data/ and plain HTTP on localhost, unless configured.
        os.environ.setdefault("IAM_EMBEDDED", "true")
        os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
