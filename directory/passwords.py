"""The account password policy: AWS's rules, checked wherever a password is set."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password

from directory.models import PasswordHistory, PasswordPolicy, User
from iam_console.errors import PasswordPolicyViolation

SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
# The symbols a generated password uses: none has a meaning to a POSIX shell inside a word, so the password
# pastes into a command line unquoted.
SHELL_SAFE_SYMBOLS = "_+-=@%"
PASSWORD_MAX_LENGTH = 128


@dataclass(frozen=True)
class EffectivePasswordPolicy:
    """The rules in force: the account's policy, or AWS's defaults when none is set."""

    minimum_password_length: int = 8
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase_characters: bool = False
    require_lowercase_characters: bool = False
    allow_users_to_change_password: bool = False
    max_password_age: int | None = None
    password_reuse_prevention: int | None = None
    hard_expiry: bool = False
    is_default: bool = True

    def describe(self) -> list[str]:
        """The rules in plain words, for forms and error messages."""
        if self.is_default:
            return [
                "At least 8 characters (at most 128)",
                "At least three of: uppercase letters, lowercase letters, numbers, symbols " + SYMBOLS,
                "Not the same as the user name",
            ]
        rules = [f"At least {self.minimum_password_length} characters (at most {PASSWORD_MAX_LENGTH})"]
        if self.require_uppercase_characters:
            rules.append("At least one uppercase letter (A-Z)")
        if self.require_lowercase_characters:
            rules.append("At least one lowercase letter (a-z)")
        if self.require_numbers:
            rules.append("At least one number (0-9)")
        if self.require_symbols:
            rules.append("At least one symbol: " + SYMBOLS)
        if self.password_reuse_prevention:
            rules.append(f"Not one of the last {self.password_reuse_prevention} passwords")
        return rules

    def expires_at(self, last_changed: datetime | None) -> datetime | None:
        if not self.max_password_age or last_changed is None:
            return None
        return last_changed + timedelta(days=self.max_password_age)


def effective_policy(account_id: str) -> EffectivePasswordPolicy:
    """The rules in force in an account: its password policy, or AWS's defaults."""
    policy = PasswordPolicy.objects.filter(account_id=account_id).first()
    if policy is None:
        return EffectivePasswordPolicy()
    return EffectivePasswordPolicy(
        minimum_password_length=policy.minimum_password_length,
        require_symbols=policy.require_symbols,
        require_numbers=policy.require_numbers,
        require_uppercase_characters=policy.require_uppercase_characters,
        require_lowercase_characters=policy.require_lowercase_characters,
        allow_users_to_change_password=policy.allow_users_to_change_password,
        max_password_age=policy.max_password_age,
        password_reuse_prevention=policy.password_reuse_prevention,
        hard_expiry=policy.hard_expiry,
        is_default=False,
    )


def check_password_against_policy(password: str, *, user: User, policy: EffectivePasswordPolicy) -> None:
    """Raise PasswordPolicyViolation listing every rule the password breaks."""
    if not isinstance(password, str) or not password:
        raise PasswordPolicyViolation("Password is required.")
    broken: list[str] = []
    if len(password) > PASSWORD_MAX_LENGTH:
        broken.append(f"be at most {PASSWORD_MAX_LENGTH} characters long")
    classes = {
        "uppercase": any(c in string.ascii_uppercase for c in password),
        "lowercase": any(c in string.ascii_lowercase for c in password),
        "numbers": any(c in string.digits for c in password),
        "symbols": any(c in SYMBOLS for c in password),
    }
    if policy.is_default:
        if len(password) < 8:
            broken.append("be at least 8 characters long")
        if sum(classes.values()) < 3:
            broken.append("contain at least three of: uppercase letters, lowercase letters, numbers, symbols")
        if password.lower() == user.user_name.lower():
            broken.append("differ from the user name")
    else:
        if len(password) < policy.minimum_password_length:
            broken.append(f"be at least {policy.minimum_password_length} characters long")
        if policy.require_uppercase_characters and not classes["uppercase"]:
            broken.append("contain at least one uppercase letter")
        if policy.require_lowercase_characters and not classes["lowercase"]:
            broken.append("contain at least one lowercase letter")
        if policy.require_numbers and not classes["numbers"]:
            broken.append("contain at least one number")
        if policy.require_symbols and not classes["symbols"]:
            broken.append("contain at least one symbol (" + SYMBOLS + ")")
    if not broken and policy.password_reuse_prevention and user.pk and _was_used_recently(
        password, user=user, count=policy.password_reuse_prevention
    ):
        broken.append(f"not be one of the last {policy.password_reuse_prevention} passwords")
    if broken:
        raise PasswordPolicyViolation(
            "Password does not conform to the account password policy: it must " + "; ".join(broken) + "."
        )


def _was_used_recently(password: str, *, user: User, count: int) -> bool:
    hashes = list(PasswordHistory.objects.filter(user=user).values_list("password_hash", flat=True)[:count])
    return any(check_password(password, encoded) for encoded in hashes)


def generate_password(policy: EffectivePasswordPolicy) -> str:
    """A random password that satisfies the policy (at least 20 characters, every character class).

    It is shell-safe (letters, digits and SHELL_SAFE_SYMBOLS, starting with a letter), so it can be pasted
    into a command line as it is.
    """
    length = max(20, policy.minimum_password_length)
    pools = [string.ascii_uppercase, string.ascii_lowercase, string.digits, SHELL_SAFE_SYMBOLS]
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(length - len(chars) - 1)]
    secrets.SystemRandom().shuffle(chars)
    return secrets.choice(string.ascii_letters) + "".join(chars)
