"""Tags on virtual MFA devices: TagMFADevice, UntagMFADevice, ListMFADeviceTags. The device is named by its
serial number (its ARN), which is also the resource the policy check names."""

from __future__ import annotations

from directory.models import MFADevice, MFADeviceTag
from iam_console.errors import NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import validate_tag_key, validate_tags
from policies.authorization import Caller, authorize_caller


def _device(account_id: str, serial_number: str, *, for_update: bool = False) -> MFADevice:
    """A device of the account's users: another account's is not found, as one that does not exist."""
    devices = MFADevice.objects.select_for_update() if for_update else MFADevice.objects.all()
    device = devices.filter(serial_number=serial_number, user__account_id=account_id).first()
    if device is None:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")
    return device


@iam_operation("TagMFADevice")
def tag_mfa_device(*, caller: Caller, serial_number: str, tags: list[dict]) -> list[MFADeviceTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    authorize_caller(caller, "iam:TagMFADevice", serial_number, request_tag_context(tag_map))
    device = _device(caller.account_id, serial_number, for_update=True)  # the lock keeps the 50-tag quota exact
    return merge_tags(MFADeviceTag, {"device": device}, tag_map, quota_name="TagsPerMFADevice")


@iam_operation("UntagMFADevice")
def untag_mfa_device(*, caller: Caller, serial_number: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    authorize_caller(caller, "iam:UntagMFADevice", serial_number, {"aws:TagKeys": keys})
    remove_tags(MFADeviceTag, {"device": _device(caller.account_id, serial_number, for_update=True)}, keys)


@iam_operation("ListMFADeviceTags")
def list_mfa_device_tags(*, caller: Caller, serial_number: str) -> list[MFADeviceTag]:
    authorize_caller(caller, "iam:ListMFADeviceTags", serial_number)
    return list(MFADeviceTag.objects.filter(device=_device(caller.account_id, serial_number)))
