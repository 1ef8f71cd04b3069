"""The service prefixes AWS uses (from botocore's data): names an organisation's own services may not take."""

from __future__ import annotations

import functools
import re

from botocore.loaders import Loader

# AWS's prefixes are lower-case words joined by single hyphens ("execute-api", "resource-explorer-2").
PREFIX = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# IAM prefixes that name no botocore model and no endpoint of their own (billing, the console, sign-in…).
_IAM_ONLY = frozenset({"aws-portal", "aws-marketplace", "aws-marketplace-management", "budgets", "ce", "cur",
                       "consolidatedbilling", "freetier", "invoicing", "payments", "purchase-orders", "tax",
                       "signin", "sso-directory", "sso-oauth", "ec2messages", "ssmmessages", "iq", "iq-permission",
                       "health", "trustedadvisor", "support", "supportplans", "account", "billing", "identitystore",
                       "identity-sync", "organizations", "sts", "iam", "access-analyzer", "execute-api", "s3-object-lambda",
                       "s3express", "arsenal", "aws"})


@functools.cache
def aws_service_prefixes() -> frozenset[str]:
    """Every botocore service name and endpoint prefix (several hundred), with the few IAM-only prefixes.

    Read once per process from files botocore ships (a directory listing and endpoints.json: milliseconds)."""
    loader = Loader()
    names = set(loader.list_available_services("service-2"))
    for partition in loader.load_data("endpoints").get("partitions", []):
        names.update(partition.get("services", {}))
    return frozenset(name for name in names | _IAM_ONLY if PREFIX.fullmatch(name))


def is_aws_service_prefix(prefix: str) -> bool:
    return prefix in aws_service_prefixes()
