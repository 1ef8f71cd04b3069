"""IAM Query API: virtual MFA devices: create, enable, resync, deactivate, delete, list and tag them."""

from __future__ import annotations

from directory.mfa import services as mfa
from directory.mfa import tags as mfa_tags
from iam_console.query import iam_output as out
from iam_console.query.registry import operation


@operation("iam", "CreateVirtualMFADevice")
def create_virtual_mfa_device(caller, params: dict) -> dict:
    tags = {"tags": out.tags_in(params)} if params.get("Tags") else {}
    created = mfa.create_virtual_mfa_device(caller=caller, virtual_mfa_device_name=params["VirtualMFADeviceName"],
                                            path=params.get("Path", "/"), **tags)
    # The seed and its QR code exist only in this answer: the directory keeps the seed sealed.
    return {"VirtualMFADevice": {"SerialNumber": created.serial_number,
                                 "Base32StringSeed": created.base32_string_seed.encode(),
                                 "QRCodePNG": created.qr_code_png()}}


@operation("iam", "EnableMFADevice")
def enable_mfa_device(caller, params: dict) -> dict:
    mfa.enable_mfa_device(caller=caller, user_name=params["UserName"], serial_number=params["SerialNumber"],
                          authentication_code_1=params["AuthenticationCode1"],
                          authentication_code_2=params["AuthenticationCode2"])
    return {}


@operation("iam", "ResyncMFADevice")
def resync_mfa_device(caller, params: dict) -> dict:
    mfa.resync_mfa_device(caller=caller, user_name=params["UserName"], serial_number=params["SerialNumber"],
                          authentication_code_1=params["AuthenticationCode1"],
                          authentication_code_2=params["AuthenticationCode2"])
    return {}


@operation("iam", "DeactivateMFADevice")
def deactivate_mfa_device(caller, params: dict) -> dict:
    mfa.deactivate_mfa_device(caller=caller, user_name=params.get("UserName"), serial_number=params["SerialNumber"])
    return {}


@operation("iam", "DeleteVirtualMFADevice")
def delete_virtual_mfa_device(caller, params: dict) -> dict:
    mfa.delete_virtual_mfa_device(caller=caller, serial_number=params["SerialNumber"])
    return {}


@operation("iam", "GetMFADevice")
def get_mfa_device(caller, params: dict) -> dict:
    device = mfa.get_mfa_device(caller=caller, serial_number=params["SerialNumber"], user_name=params.get("UserName"))
    return {"UserName": device.user.user_name, "SerialNumber": device.serial_number, "EnableDate": device.enable_date}


@operation("iam", "ListMFADevices")
def list_mfa_devices(caller, params: dict) -> dict:
    user, devices = mfa.list_mfa_devices(caller=caller, user_name=params.get("UserName"))
    return out.shaped(out.page(devices, params, lambda device: device.serial_number, "MFADevices"), "MFADevices",
                      lambda device: {"UserName": user.user_name, "SerialNumber": device.serial_number,
                                      "EnableDate": device.enable_date})


def _virtual_device(device) -> dict:
    body = {"SerialNumber": device.serial_number}
    if device.confirmed:  # AWS names a device's user only once it is assigned (enabled)
        body["User"] = out.user_out(device.user)
        body["EnableDate"] = device.enable_date
    return body


@operation("iam", "ListVirtualMFADevices")
def list_virtual_mfa_devices(caller, params: dict) -> dict:
    devices = mfa.list_virtual_mfa_devices(caller=caller, assignment_status=params.get("AssignmentStatus", "Any"))
    return out.shaped(out.page(devices, params, lambda device: device.serial_number, "VirtualMFADevices"),
                      "VirtualMFADevices", _virtual_device)


@operation("iam", "TagMFADevice")
def tag_mfa_device(caller, params: dict) -> dict:
    mfa_tags.tag_mfa_device(caller=caller, serial_number=params["SerialNumber"], tags=out.tags_in(params))
    return {}


@operation("iam", "UntagMFADevice")
def untag_mfa_device(caller, params: dict) -> dict:
    mfa_tags.untag_mfa_device(caller=caller, serial_number=params["SerialNumber"], tag_keys=params["TagKeys"])
    return {}


@operation("iam", "ListMFADeviceTags")
def list_mfa_device_tags(caller, params: dict) -> dict:
    tags = mfa_tags.list_mfa_device_tags(caller=caller, serial_number=params["SerialNumber"])
    return out.shaped(out.page(tags, params, lambda tag: tag.key_lower, "Tags"), "Tags",
                      lambda tag: {"Key": tag.key, "Value": tag.value})
