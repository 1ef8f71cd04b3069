"""`python -m iam_directory_client sso login --profile P`, as the `iam-directory` command."""

import sys

from iam_directory_client.cli import main

sys.exit(main())
