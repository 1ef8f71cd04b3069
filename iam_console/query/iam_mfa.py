"""IAM Query API: virtual MFA devices: create, enable, resync, deactivate, delete and list them."""

from __future__ import annotations

from directory.mfa import services as mfa
from iam_console.errors import InvalidInput
from iam_console.query import iam_output as out
from iam_console.query.registry import operation


@operation("iam", "CreateVirtualMFADevice")
def create_virtual_mfa_device(caller, params: dict) -> dict:
    if params.get("Tags"):
        raise InvalidInput("Tags on virtual MFA devices are not supported by this directory: create the device "
                           "without Tags.")
    created = mfa.create_virtual_mfa_device(caller=caller, virtual_mfa_device_name=params["VirtualMFADeviceName"],
                                            path=params.get("Path", "/"))
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
