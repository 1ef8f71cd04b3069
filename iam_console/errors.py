"""IAM's errors: one exception type per error code, each with its HTTP status."""

from __future__ import annotations


class IAMError(Exception):
    """An error the caller can act on. `code` is IAM's error code; `message` says what to fix."""

    code = "ServiceFailure"
    http_status = 500

    def __init__(self, message: str, *, details: object | None = None, aws_message: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        # AWS's own words for the error, where they differ from the fuller `message`: the AWS Query API answers
        # with them, because SDKs and scripts written against AWS compare them; the console and REST API keep
        # the message that says where and what to fix.
        self.aws_message = aws_message or message

    def as_dict(self) -> dict:
        body: dict = {"code": self.code, "message": self.message}
        if self.details is not None:
            body["details"] = self.details
        return body


class NoSuchEntity(IAMError):
    code, http_status = "NoSuchEntity", 404


class EntityAlreadyExists(IAMError):
    code, http_status = "EntityAlreadyExists", 409


class LimitExceeded(IAMError):
    code, http_status = "LimitExceeded", 409


class DeleteConflict(IAMError):
    code, http_status = "DeleteConflict", 409


class ConcurrentModification(IAMError):
    code, http_status = "ConcurrentModification", 409


class EntityTemporarilyUnmodifiable(IAMError):
    code, http_status = "EntityTemporarilyUnmodifiable", 409


class InvalidInput(IAMError):
    code, http_status = "InvalidInput", 400


class ValidationError(IAMError):
    code, http_status = "ValidationError", 400


class MalformedPolicyDocument(IAMError):
    code, http_status = "MalformedPolicyDocument", 400


class PasswordPolicyViolation(IAMError):
    code, http_status = "PasswordPolicyViolation", 400


class InvalidAuthenticationCode(IAMError):
    code, http_status = "InvalidAuthenticationCode", 400


class UnmodifiableEntity(IAMError):
    code, http_status = "UnmodifiableEntity", 400


class Throttling(IAMError):
    """Too many attempts: `retry_after` seconds to wait, sent as the Retry-After header."""

    code, http_status = "Throttling", 429

    def __init__(self, message: str, *, retry_after: int | None = None, details: object | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class AccessDenied(IAMError):
    code, http_status = "AccessDenied", 403


# Authentication failures answer 403, as AWS does (SDKs and security tools key on the code, not the status).
class MissingAuthenticationToken(IAMError):
    code, http_status = "MissingAuthenticationToken", 403


class InvalidClientTokenId(IAMError):
    code, http_status = "InvalidClientTokenId", 403


class SignatureDoesNotMatch(IAMError):
    code, http_status = "SignatureDoesNotMatch", 403


class IncompleteSignature(IAMError):
    code, http_status = "IncompleteSignature", 403


class ExpiredToken(IAMError):
    code, http_status = "ExpiredToken", 403


class RequestExpired(IAMError):
    code, http_status = "RequestExpired", 403


class PackedPolicyTooLarge(IAMError):
    """AssumeRole's session policies and tags are too large."""

    code, http_status = "PackedPolicyTooLarge", 400


class ReportNotPresent(IAMError):
    code, http_status = "ReportNotPresent", 410


class ReportExpired(IAMError):
    code, http_status = "ReportExpired", 410


class ReportInProgress(IAMError):
    code, http_status = "ReportInProgress", 404


# --- Federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) ---
class InvalidIdentityToken(IAMError):
    code, http_status = "InvalidIdentityToken", 400


class ExpiredTokenException(IAMError):
    code, http_status = "ExpiredTokenException", 400


class IDPRejectedClaim(IAMError):
    code, http_status = "IDPRejectedClaim", 403


class IDPCommunicationError(IAMError):
    code, http_status = "IDPCommunicationError", 400


class ServiceUnavailable(IAMError):
    code, http_status = "ServiceUnavailable", 503
