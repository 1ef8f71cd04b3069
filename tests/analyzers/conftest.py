"""Fixtures the analyzers' tests share with other suites: roles, and the console signed in."""

from tests.console.conftest import root_console, user_console  # noqa: F401
from tests.sts.conftest import make_role  # noqa: F401
