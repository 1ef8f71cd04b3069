"""Argon2id password hashing, with the cost lowered only for the test suite."""

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class IAMArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"

    @property
    def time_cost(self) -> int:  # type: ignore[override]
        return 1 if settings.TESTING else 2

    @property
    def memory_cost(self) -> int:  # type: ignore[override]
        # Tests hash thousands of passwords; production keeps Django's 100 MiB.
        return 1024 if settings.TESTING else 102400

    @property
    def parallelism(self) -> int:  # type: ignore[override]
        return 1 if settings.TESTING else 8
