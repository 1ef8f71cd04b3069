"""The directory's own settings with only the URLs changed: every request reaches benchmarks.bare_urls."""

from iam_console.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bare_urls"
