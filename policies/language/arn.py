"""ARN parsing, validation of Resource ARNs, and wildcard matching of ARNs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

PARTITIONS = frozenset(
    {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
)
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
_WILDCARD_CHARS = frozenset("*?")


@dataclass(frozen=True, slots=True)
class Arn:
    """``arn:partition:service:region:account:resource`` (the resource may hold ':' and '/')."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"


def parse_arn(text: str) -> Arn | None:
    """Split an ARN into its six fields; None unless it has all six and starts with "arn"."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def has_wildcard(text: str) -> bool:
    return not _WILDCARD_CHARS.isdisjoint(text)


def resource_arn_problem(text: str) -> str | None:
    """Advice about a Resource value IAM accepts but that cannot name what it seems to.

    IAM's own verdict lives in ``iam_grammar.resource_verdict``; this only looks at
    what AWS documents for each service's ARNs (Service Authorization Reference,
    "Resource types"): IAM and STS ARNs name a 12-digit account ("aws" for AWS managed
    policies), S3 buckets and objects name no account.
    """
    parts = text.split(":", 5)
    if len(parts) < 6:
        return None
    service, region, account, resource = parts[2], parts[3], parts[4], parts[5]
    if service in ("iam", "sts"):
        if service == "sts" and region and not has_wildcard(region):
            return f"names region {region!r} but {service} ARNs have no region (leave it empty)"
        if not account:
            return (
                "has an empty account field, so it never matches: IAM ARNs name the account "
                '(a 12-digit ID, "*", or "aws" for AWS managed policies)'
            )
        if not has_wildcard(account) and not ACCOUNT_ID.match(account) and account != "aws":
            return f"has account {account!r}; use a 12-digit account ID"
    if service == "s3" and account and not region and not resource.startswith("accesspoint/"):
        return "names an account, but S3 bucket and object ARNs have none (arn:aws:s3:::bucket/key)"
    return None


@lru_cache(maxsize=8192)
def arn_pattern(pattern: str) -> re.Pattern[str]:
    """Compiled, case-sensitive regex for a Resource pattern.

    A "*" is a run of any characters including ':' and '/', so "arn:aws:iam::*" covers
    every IAM ARN, as in IAM; "?" is exactly one character.
    """
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL)


def arn_matches(pattern: str, value: str) -> bool:
    return pattern == "*" or arn_pattern(pattern).fullmatch(value) is not None


@lru_cache(maxsize=4096)
def _component_patterns(pattern: str) -> tuple[re.Pattern[str], ...] | None:
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return None
    return tuple(arn_pattern(part) for part in parts)


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike / ArnEquals: each of the six colon-delimited fields is matched separately.

    IAM User Guide: Condition operators — ARN condition operators ("Each of the six
    colon-delimited components of the ARN is checked separately and each can include
    multi-character match wildcards (*) or single-character match wildcards (?)").
    """
    patterns = _component_patterns(pattern)
    if patterns is None:
        return False
    parts = value.split(":", 5)
    if len(parts) != 6:
        return False
    return all(p.fullmatch(part) is not None for p, part in zip(patterns, parts, strict=True))


def resource_could_be_type(pattern: str, arn_service: str, resource_prefix: str) -> bool:
    """Whether a Resource pattern could name a resource of the given type.

    Conservative: only the literal text before the first wildcard is compared, so any
    pattern that might match is accepted and only certain mismatches are reported.
    """
    if pattern == "*":
        return True
    parts = pattern.split(":", 5)
    if len(parts) < 6:
        return True  # a trailing wildcard spans the remaining fields
    service, resource = parts[2], parts[5]
    if not _literal_prefix_compatible(service, arn_service, whole=True):
        return False
    return _literal_prefix_compatible(resource, resource_prefix, whole=resource_prefix == "root")


def _literal_prefix_compatible(pattern: str, expected: str, whole: bool) -> bool:
    cut = min((pattern.find(c) for c in "*?" if c in pattern), default=-1)
    if cut == -1:
        return pattern == expected if whole else pattern.startswith(expected)
    literal = pattern[:cut]
    return literal.startswith(expected) or expected.startswith(literal)
