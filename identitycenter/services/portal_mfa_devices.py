"""A signed-in person's own authenticator app at the access portal: register one, replace it (the new one's first
code confirms it and retires the old), or remove it with a current code. Each step is audited under the names
Identity Center's directory records them by (event source sso-directory.amazonaws.com)."""

from __future__ import annotations

from directory.models import MFARequirement
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.errors import AccessDeniedException, ValidationException
from identitycenter.models import PortalMfaDevice
from identitycenter.principals import PortalPerson
from identitycenter.services import portal_mfa
from identitystore.models import WorkforceUser

DIRECTORY = "sso-directory.amazonaws.com"
WRONG_CODE = "That code is not right, or it was already used. Type the code your authenticator app shows now."
NO_DEVICE = "You have no authenticator app registered."
REQUIRED = ("Your organisation requires everyone to sign in with an authenticator app, so yours cannot be removed. "
            "Register a new one to replace it.")


def device_of(user: WorkforceUser) -> PortalMfaDevice | None:
    """The person's registered (confirmed) authenticator app, if any."""
    return PortalMfaDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def _person(caller: Caller) -> WorkforceUser:
    """The signed-in person the caller is (from a live portal session): only their own device is ever touched."""
    principal = caller.principal
    if not isinstance(principal, PortalPerson):
        raise AccessDeniedException("Only a person signed in to the access portal manages their own device here.")
    person = WorkforceUser.objects.filter(user_id=principal.user_id, active=True).first()
    if person is None:
        raise AccessDeniedException("Your portal session has ended. Sign in again.")
    return person


@iam_operation("StartVirtualMfaDeviceRegistration", event_source=DIRECTORY, needs_permission=False)
def start_virtual_mfa_device_registration(*, caller: Caller) -> portal_mfa.NewDevice:
    """A new app for the person (its secret shown once); any app already registered stays until it is confirmed."""
    return portal_mfa.start_registration(_person(caller))


@iam_operation("CompleteVirtualMfaDeviceRegistration", event_source=DIRECTORY, needs_permission=False)
def complete_virtual_mfa_device_registration(*, caller: Caller, authentication_code: str) -> PortalMfaDevice:
    """The new app's first code confirms it; an app registered before is removed (replaced)."""
    person = _person(caller)
    if not portal_mfa.check_code(person, authentication_code, client=caller.source_ip, registering=True):
        raise ValidationException(WRONG_CODE)
    return device_of(person)


@iam_operation("DeleteMfaDeviceForUser", event_source=DIRECTORY, needs_permission=False)
def delete_mfa_device_for_user(*, caller: Caller, authentication_code: str) -> None:
    """Remove the person's app, proven by a current code from it; refused where the management account requires
    MFA of everyone (the person would be made to register one at the next sign-in anyway)."""
    person = _person(caller)
    if device_of(person) is None:
        raise ValidationException(NO_DEVICE)
    if portal_mfa.requirement_scope() == MFARequirement.Scope.ALL:
        raise AccessDeniedException(REQUIRED)
    if not portal_mfa.check_code(person, authentication_code, client=caller.source_ip, registering=False):
        raise ValidationException(WRONG_CODE)
    PortalMfaDevice.objects.filter(user=person).delete()
