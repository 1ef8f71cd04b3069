"""AWS Organizations' errors: one exception type per error code, each carrying the fields AWS's answer has."""

from __future__ import annotations

from typing import Any

from iam_console.errors import IAMError


class OrganizationsError(IAMError):
    """An Organizations refusal. Organizations answers every client fault with 400, AccessDeniedException too."""

    http_status = 400
    default_message = ""

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        super().__init__(message or self.default_message)
        self.fields = fields  # rendered beside the message: a ConstraintViolationException's Reason


def _error(code: str, message: str) -> type[OrganizationsError]:
    return type(code, (OrganizationsError,), {"code": code, "default_message": message,
                                             "__doc__": f"Organizations' {code}.", "__module__": __name__})


AWSOrganizationsNotInUseException = _error(
    "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
AccessDeniedException = _error("AccessDeniedException", "You don't have permissions to access this resource.")
AlreadyInOrganizationException = _error(
    "AlreadyInOrganizationException", "The provided account is already a member of an organization.")
AccountAlreadyRegisteredException = _error(
    "AccountAlreadyRegisteredException", "The specified account is already a delegated administrator for this AWS "
                                         "service.")
AccountNotRegisteredException = _error(
    "AccountNotRegisteredException", "The specified account is not a delegated administrator for this AWS service.")
AccountAlreadyClosedException = _error("AccountAlreadyClosedException", "You attempted to close an account that "
                                                                    "is already closed.")
AccountNotFoundException = _error("AccountNotFoundException", "You specified an account that doesn't exist.")
ChildNotFoundException = _error("ChildNotFoundException", "You specified a child that doesn't exist.")
ConcurrentModificationException = _error(
    "ConcurrentModificationException", "The target of the operation is currently being modified by a different "
                                       "request. Try again later.")
ConstraintViolationException = _error(
    "ConstraintViolationException", "You have exceeded a limit of the organization.")
CreateAccountStatusNotFoundException = _error(
    "CreateAccountStatusNotFoundException", "We can't find a create account request with the CreateAccountRequestId "
                                            "that you specified.")
DestinationParentNotFoundException = _error(
    "DestinationParentNotFoundException", "We can't find the destination container (a root or OU) with the "
                                          "ParentId that you specified.")
DuplicateAccountException = _error("DuplicateAccountException", "That account is already present in the "
                                                                "specified destination.")
DuplicateOrganizationalUnitException = _error(
    "DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
DuplicatePolicyAttachmentException = _error(
    "DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
DuplicatePolicyException = _error("DuplicatePolicyException", "A policy with the same name already exists.")
EffectivePolicyNotFoundException = _error(
    "EffectivePolicyNotFoundException", "If you ran this action on the management account, this policy type is not "
                                        "enabled. If you ran the action on a member account, the account doesn't "
                                        "have an effective policy of this type.")
HandshakeConstraintViolationException = _error(
    "HandshakeConstraintViolationException", "The requested operation would violate the constraint identified in "
                                             "the reason code.")
InvalidInputException = _error("InvalidInputException", "The requested operation failed because you provided "
                                                        "invalid values for one or more of the request parameters.")
MalformedPolicyDocumentException = _error(
    "MalformedPolicyDocumentException", "The provided policy document doesn't meet the requirements of the "
                                        "specified policy type.")
MasterCannotLeaveOrganizationException = _error(
    "MasterCannotLeaveOrganizationException", "You can't remove a management account from an organization. If you "
                                              "want the management account to become a member account in another "
                                              "organization, you must first delete the current organization of the "
                                              "management account.")
OrganizationNotEmptyException = _error(
    "OrganizationNotEmptyException", "The organization isn't empty. To delete an organization, you must first "
                                     "remove all accounts except the management account.")
OrganizationalUnitNotEmptyException = _error(
    "OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or "
                                           "to other OUs, remove all child OUs, and try the operation again.")
OrganizationalUnitNotFoundException = _error(
    "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
ParentNotFoundException = _error("ParentNotFoundException", "We can't find a root or OU with the ParentId that "
                                                            "you specified.")
PolicyInUseException = _error("PolicyInUseException", "The policy is attached to one or more entities. You must "
                                                      "detach it from all roots, OUs, and accounts before "
                                                      "performing this operation.")
PolicyNotAttachedException = _error("PolicyNotAttachedException", "The policy isn't attached to the specified "
                                                                  "target in the specified root.")
PolicyNotFoundException = _error("PolicyNotFoundException", "We can't find a policy with the PolicyId that you "
                                                            "specified.")
PolicyTypeAlreadyEnabledException = _error("PolicyTypeAlreadyEnabledException", "The specified policy type is "
                                                                                "already enabled.")
PolicyTypeNotEnabledException = _error(
    "PolicyTypeNotEnabledException", "The specified policy type isn't currently enabled in this root. You can't "
                                     "attach policies of the specified type to entities in a root until you enable "
                                     "that type in the root.")
ResourcePolicyNotFoundException = _error(
    "ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you "
                                       "specified.")
RootNotFoundException = _error("RootNotFoundException", "We can't find a root with the RootId that you specified.")
SourceParentNotFoundException = _error(
    "SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
TargetNotFoundException = _error("TargetNotFoundException", "We can't find a root, OU, account, or policy with "
                                                            "the TargetId that you specified.")


def constraint_violation(reason: str, message: str | None = None) -> OrganizationsError:
    return ConstraintViolationException(message, Reason=reason)


def invalid_input(reason: str, message: str | None = None) -> OrganizationsError:
    return InvalidInputException(message, Reason=reason)
