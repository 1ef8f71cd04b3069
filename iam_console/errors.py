"""IAM's errors: one exception type per error code, each with its HTTP status."""

from __future__ import annotations

# The frame's errors (raised below every door) as AWS's JSON services (JSON 1.1 and REST-JSON) name them.
JSON_ERROR_CODES = {
    "AccessDenied": "AccessDeniedException",
    "ValidationError": "ValidationException",
    "MissingAuthenticationToken": "MissingAuthenticationTokenException",
    "InvalidClientTokenId": "UnrecognizedClientException",
    "SignatureDoesNotMatch": "InvalidSignatureException",
    "RequestExpired": "InvalidSignatureException",
    "IncompleteSignature": "IncompleteSignatureException",
    "ExpiredToken": "ExpiredTokenException",
    "Throttling": "ThrottlingException",
    "ServiceUnavailable": "ServiceUnavailableException",
    "ServiceFailure": "InternalFailure",
}


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
    """The user, group, role, policy… does not exist."""

    code, http_status = "NoSuchEntity", 404


class EntityAlreadyExists(IAMError):
    """The name is taken (names are case-insensitive)."""

    code, http_status = "EntityAlreadyExists", 409


class LimitExceeded(IAMError):
    """A quota: keys per user, versions per policy, policy size…"""

    code, http_status = "LimitExceeded", 409


class DeleteConflict(IAMError):
    """The entity still has attachments, members, keys or versions."""

    code, http_status = "DeleteConflict", 409


class ConcurrentModification(IAMError):
    """Another request changed the same entity at the same time; retry."""

    code, http_status = "ConcurrentModification", 409


class EntityTemporarilyUnmodifiable(IAMError):
    """The entity cannot be changed right now."""

    code, http_status = "EntityTemporarilyUnmodifiable", 409


class InvalidInput(IAMError):
    """A value fits the operation but IAM refuses it (a bad ARN, a wrong old password…)."""

    code, http_status = "InvalidInput", 400


class ValidationError(IAMError):
    """The request does not fit the operation (a missing, unknown or mistyped parameter)."""

    code, http_status = "ValidationError", 400


class MalformedPolicyDocument(IAMError):
    """IAM refuses the policy document; the details list the findings."""

    code, http_status = "MalformedPolicyDocument", 400


class PasswordPolicyViolation(IAMError):
    """The new password breaks the account password policy."""

    code, http_status = "PasswordPolicyViolation", 400


class InvalidAuthenticationCode(IAMError):
    """An MFA code is wrong."""

    code, http_status = "InvalidAuthenticationCode", 400


class UnmodifiableEntity(IAMError):
    """The entity is managed by the system (e.g. an AWS managed policy)."""

    code, http_status = "UnmodifiableEntity", 400


class Throttling(IAMError):
    """Too many requests (for example wrong current passwords): retry after Retry-After seconds.

    `retry_after` is the seconds to wait, sent as the Retry-After header."""

    code, http_status = "Throttling", 429

    def __init__(self, message: str, *, retry_after: int | None = None, details: object | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class AccessDenied(IAMError):
    """The caller's policies do not allow the action."""

    code, http_status = "AccessDenied", 403


# Authentication failures answer 403, as AWS does (SDKs and security tools key on the code, not the status).
class MissingAuthenticationToken(IAMError):
    """The request is not signed and carries no console session (or the session has ended)."""

    code, http_status = "MissingAuthenticationToken", 403


class InvalidClientTokenId(IAMError):
    """The access key is unknown or inactive."""

    code, http_status = "InvalidClientTokenId", 403


class SignatureDoesNotMatch(IAMError):
    """The signature is wrong (secret or canonical request)."""

    code, http_status = "SignatureDoesNotMatch", 403


class IncompleteSignature(IAMError):
    """The SigV4 Authorization header is missing parts."""

    code, http_status = "IncompleteSignature", 403


class ExpiredToken(IAMError):
    """The session credentials have expired or were revoked."""

    code, http_status = "ExpiredToken", 403


class RequestExpired(IAMError):
    """The signed request is older (or further ahead) than the allowed clock skew."""

    code, http_status = "RequestExpired", 403


class PackedPolicyTooLarge(IAMError):
    """AssumeRole's session policies and tags are too large."""

    code, http_status = "PackedPolicyTooLarge", 400


class ReportNotPresent(IAMError):
    """No credential report has been generated yet."""

    code, http_status = "ReportNotPresent", 410


class ReportExpired(IAMError):
    """The credential report is too old; generate a new one."""

    code, http_status = "ReportExpired", 410


class ReportInProgress(IAMError):
    """The credential report is still being generated."""

    code, http_status = "ReportInProgress", 404


# --- Federation (AssumeRoleWithWebIdentity, AssumeRoleWithSAML) ---
class InvalidIdentityToken(IAMError):
    """The web identity token is not valid for a registered provider (issuer, audience, signature)."""

    code, http_status = "InvalidIdentityToken", 400


class ExpiredTokenException(IAMError):
    """The web identity token or SAML assertion given to AssumeRoleWith… has expired."""

    code, http_status = "ExpiredTokenException", 400


class IDPRejectedClaim(IAMError):
    """The SAML response is not acceptable (signature, audience, recipient or replay)."""

    code, http_status = "IDPRejectedClaim", 403


class IDPCommunicationError(IAMError):
    """The OpenID Connect issuer's discovery document or keys could not be fetched; retry."""

    code, http_status = "IDPCommunicationError", 400


class ServiceUnavailable(IAMError):
    """PostgreSQL or the job queue is unreachable; retry after Retry-After seconds. Nothing was changed."""

    code, http_status = "ServiceUnavailable", 503
