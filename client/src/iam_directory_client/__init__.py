"""Client for a self-hosted IAM directory: verify callers' SigV4 signatures and decide with its policies."""

from iam_directory_client.client import (
    Decision,
    DirectoryClient,
    DirectoryError,
    Principal,
    Verification,
)
from iam_directory_client.wsgi import SignatureVerifyingMiddleware, require

__all__ = [
    "Decision",
    "DirectoryClient",
    "DirectoryError",
    "Principal",
    "SignatureVerifyingMiddleware",
    "Verification",
    "require",
]
