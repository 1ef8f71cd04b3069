"""Access key operations: CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys, GetAccessKeyLastUsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from directory import lookups
from directory.credentials import derive_secret_access_key, new_secret_nonce
from directory.models import AccessKey, User
from iam_console import identifiers
from iam_console.errors import LimitExceeded, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller, authorize_unknown

ACCESS_KEYS_PER_USER = 2


@dataclass(frozen=True)
class NewAccessKey:
    """A created key with its secret: the only moment the secret exists outside the signer."""

    access_key: AccessKey
    secret_access_key: str

    def audit_elements(self) -> dict:
        return {"access_key_id": self.access_key.access_key_id, "status": self.access_key.status}


@iam_operation("CreateAccessKey")
def create_access_key(*, caller: Caller, user_name: str | None = None) -> NewAccessKey:
    # Lock the user row so that two simultaneous requests cannot both pass the two-key quota.
    user = lookups.target_user(caller, user_name, for_update=True)
    authorize_caller(caller, "iam:CreateAccessKey", user.arn)
    if AccessKey.objects.filter(user=user).count() >= ACCESS_KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
    key = AccessKey.objects.create(user=user, access_key_id=identifiers.new_access_key_id(),
                                   secret_nonce=new_secret_nonce())
    return NewAccessKey(access_key=key, secret_access_key=derive_secret_access_key(key.access_key_id,
                                                                                   key.secret_nonce))


def _status(value: object) -> str:
    if value not in (AccessKey.Status.ACTIVE, AccessKey.Status.INACTIVE):
        raise ValidationError(f"status must be Active or Inactive, not {value!r}")
    return str(value)


@iam_operation("UpdateAccessKey")
def update_access_key(*, caller: Caller, access_key_id: str, status: str, user_name: str | None = None) -> AccessKey:
    new_status = _status(status)
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, "iam:UpdateAccessKey", user.arn)
    key = lookups.access_key_of(user, access_key_id, for_update=True)
    if key.status != new_status:
        key.status = new_status
        key.save(update_fields=["status"])
    return key


@iam_operation("DeleteAccessKey")
def delete_access_key(*, caller: Caller, access_key_id: str, user_name: str | None = None) -> None:
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, "iam:DeleteAccessKey", user.arn)
    lookups.access_key_of(user, access_key_id, for_update=True).delete()


@iam_operation("ListAccessKeys")
def list_access_keys(*, caller: Caller, user_name: str | None = None) -> tuple[User, list[AccessKey]]:
    user = lookups.target_user(caller, user_name)
    authorize_caller(caller, "iam:ListAccessKeys", user.arn)
    return user, list(AccessKey.objects.filter(user=user))


@iam_operation("GetAccessKeyLastUsed")
def get_access_key_last_used(*, caller: Caller, access_key_id: str) -> AccessKey:
    key = AccessKey.objects.select_related("user").filter(access_key_id=access_key_id,
                                                          user__account_id=caller.account_id).first()
    if key is None:
        # Whose key it would be is unknown: only a caller who may read any user's keys learns it does not exist.
        # Another account's key is not found, as one that does not exist.
        authorize_unknown(identifiers.iam_arn(caller.account_id, "user/*"))
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    authorize_caller(caller, "iam:GetAccessKeyLastUsed", key.user.arn)
    return key


def record_access_key_use(key: AccessKey, *, service: str, region: str) -> bool:
    """Note that a key signed a request, at most once per key per interval (AWS's granularity).

    Not an IAM operation: it runs on every signed request, so it checks the already-loaded row first and
    writes only when the recorded use is stale. The conditional UPDATE makes concurrent requests write once.
    """
    now = timezone.now()
    interval = timedelta(seconds=settings.IAM_ACCESS_KEY_LAST_USED_INTERVAL_SECONDS)
    if key.last_used_date is not None and now - key.last_used_date < interval and \
            key.last_used_service == service and key.last_used_region == region:
        return False
    stale = Q(last_used_date__isnull=True) | Q(last_used_date__lt=now - interval) | \
        ~Q(last_used_service=service) | ~Q(last_used_region=region)
    updated = AccessKey.objects.filter(pk=key.pk).filter(stale).update(
        last_used_date=now, last_used_service=service, last_used_region=region)
    if updated:
        key.last_used_date, key.last_used_service, key.last_used_region = now, service, region
    return bool(updated)
