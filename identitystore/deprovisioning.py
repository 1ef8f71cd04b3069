"""What happens when a person leaves: deactivated (UserStatus DISABLED, SCIM active=false) or deleted.

`person_deprovisioned` is sent inside the deprovisioning transaction, before it commits. The access portal and
the SSO sessions connect to it to end the person's sessions; until they exist nothing is connected, and
`end_sessions_of` ends no session, but every deprovisioning already calls it."""

from __future__ import annotations

from django.dispatch import Signal

from identitystore.models import WorkforceUser

# Sent with sender=WorkforceUser, user=<the WorkforceUser>, reason="deactivated" or "deleted".
person_deprovisioned = Signal()


def end_sessions_of(user: WorkforceUser, *, reason: str) -> None:
    """End every session issued to this person, in the running transaction: the hook other code connects to."""
    person_deprovisioned.send(sender=WorkforceUser, user=user, reason=reason)
