"""Virtual MFA devices through boto3: create (seed and QR code once), enable for a user, resync, list, remove."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from directory.mfa import totp
from tests.mfa.conftest import seed_from
from tests.query.conftest import client_for
from tests.query.iam_clients import error_code, http_status

pytestmark = pytest.mark.django_db(transaction=True)

SELF_MANAGE = "arn:aws:iam::aws:policy/IAMUserSelfManageCredentials"


def _create(iam, name: str) -> tuple[str, bytes]:
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
    assert device["QRCodePNG"].startswith(b"\x89PNG\r\n")
    return device["SerialNumber"], seed_from(device["Base32StringSeed"].decode())


def _codes(seed: bytes, first: int) -> dict:
    return {"AuthenticationCode1": totp.code_at(seed, first), "AuthenticationCode2": totp.code_at(seed, first + 1)}


def test_create_enable_for_a_user_resync_list_deactivate_and_delete(iam):
    iam.create_user(UserName="bob")
    serial, seed = _create(iam, "bobs-phone")
    assert serial == "arn:aws:iam::123456789012:mfa/bobs-phone"
    pending = iam.list_virtual_mfa_devices(AssignmentStatus="Unassigned")["VirtualMFADevices"]
    assert pending == [{"SerialNumber": serial}]

    now = totp.current_step()
    with pytest.raises(ClientError) as wrong:
        iam.enable_mfa_device(UserName="bob", SerialNumber=serial, AuthenticationCode1="000000",
                              AuthenticationCode2="000001")
    assert error_code(wrong) == "InvalidAuthenticationCode"
    iam.enable_mfa_device(UserName="bob", SerialNumber=serial, **_codes(seed, now - 1))
    listed = iam.list_mfa_devices(UserName="bob")["MFADevices"]
    assert [(d["UserName"], d["SerialNumber"]) for d in listed] == [("bob", serial)]
    got = iam.get_mfa_device(UserName="bob", SerialNumber=serial)
    assert (got["UserName"], got["SerialNumber"]) == ("bob", serial) and "EnableDate" in got
    assigned = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert assigned[0]["User"]["UserName"] == "bob" and "EnableDate" in assigned[0]
    with pytest.raises(ClientError) as again:
        iam.enable_mfa_device(UserName="bob", SerialNumber=serial, **_codes(seed, now + 1))
    assert (error_code(again), http_status(again)) == ("EntityAlreadyExists", 409)

    iam.resync_mfa_device(UserName="bob", SerialNumber=serial, **_codes(seed, now + 3))
    with pytest.raises(ClientError) as in_use:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert (error_code(in_use), http_status(in_use)) == ("DeleteConflict", 409)
    iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert iam.list_mfa_devices(UserName="bob")["MFADevices"] == []
    with pytest.raises(ClientError) as no_device:
        iam.get_mfa_device(UserName="bob", SerialNumber=serial)
    assert (error_code(no_device), http_status(no_device)) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as not_enabled:
        iam.deactivate_mfa_device(UserName="bob", SerialNumber=serial)
    assert error_code(not_enabled) == "NoSuchEntity"


def test_an_unenabled_device_is_deleted_and_names_are_unique(iam):
    serial, _ = _create(iam, "spare")
    with pytest.raises(ClientError) as duplicate:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="spare")
    assert (error_code(duplicate), http_status(duplicate)) == ("EntityAlreadyExists", 409)
    iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert iam.list_virtual_mfa_devices()["VirtualMFADevices"] == []
    with pytest.raises(ClientError) as gone:
        iam.delete_virtual_mfa_device(SerialNumber=serial)
    assert error_code(gone) == "NoSuchEntity"


def test_device_lists_page(iam):
    iam.create_user(UserName="carol")
    now = totp.current_step()
    serials = []
    for index in range(3):
        serial, seed = _create(iam, f"token{index}")
        iam.enable_mfa_device(UserName="carol", SerialNumber=serial, **_codes(seed, now - 1))
        serials.append(serial)
    _create(iam, "unused")
    virtual = list(iam.get_paginator("list_virtual_mfa_devices").paginate(PaginationConfig={"PageSize": 2}))
    assert [len(page["VirtualMFADevices"]) for page in virtual] == [2, 2]
    mine = list(iam.get_paginator("list_mfa_devices").paginate(UserName="carol", PaginationConfig={"PageSize": 2}))
    assert sorted(d["SerialNumber"] for page in mine for d in page["MFADevices"]) == sorted(serials)
    assert len(mine) == 2


def test_a_user_enrols_their_own_device_and_cannot_take_someone_elses(iam, live_server, make_user):
    dana = make_user("dana", access_key=True, policies=(SELF_MANAGE,))
    make_user("eve", access_key=True, policies=(SELF_MANAGE,))
    as_dana = client_for(live_server, "iam", *dana.test_access_key)
    serial, seed = _create(as_dana, "dana")
    as_dana.enable_mfa_device(UserName="dana", SerialNumber=serial, **_codes(seed, totp.current_step() - 1))
    assert [d["SerialNumber"] for d in as_dana.list_mfa_devices()["MFADevices"]] == [serial]

    root_serial, root_seed = _create(iam, "roots-spare")
    with pytest.raises(ClientError) as denied:
        as_dana.enable_mfa_device(UserName="eve", SerialNumber=root_serial, **_codes(root_seed, 0))
    assert (error_code(denied), http_status(denied)) == ("AccessDenied", 403)
    with pytest.raises(ClientError) as hidden:
        as_dana.enable_mfa_device(UserName="dana", SerialNumber=root_serial,
                                  **_codes(root_seed, totp.current_step() - 1))
    assert error_code(hidden) == "NoSuchEntity"  # another's pending device is not hers to take


def test_device_tags_at_creation_and_after(iam):
    serial = iam.create_virtual_mfa_device(VirtualMFADeviceName="tagged",
                                           Tags=[{"Key": "owner", "Value": "ops"}])["VirtualMFADevice"]["SerialNumber"]
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": f"k{index}", "Value": str(index)} for index in range(3)])
    iam.tag_mfa_device(SerialNumber=serial, Tags=[{"Key": "OWNER", "Value": "security"}])
    pages = list(iam.get_paginator("list_mfa_device_tags").paginate(SerialNumber=serial,
                                                                   PaginationConfig={"PageSize": 2}))
    assert [tag for page in pages for tag in page["Tags"]] == [
        {"Key": "k0", "Value": "0"}, {"Key": "k1", "Value": "1"}, {"Key": "k2", "Value": "2"},
        {"Key": "OWNER", "Value": "security"}]
    iam.untag_mfa_device(SerialNumber=serial, TagKeys=["k0", "k1", "k2"])
    assert iam.list_mfa_device_tags(SerialNumber=serial)["Tags"] == [{"Key": "OWNER", "Value": "security"}]
    with pytest.raises(ClientError) as missing:
        iam.tag_mfa_device(SerialNumber="arn:aws:iam::123456789012:mfa/none", Tags=[{"Key": "k", "Value": "v"}])
    assert (error_code(missing), http_status(missing)) == ("NoSuchEntity", 404)
    with pytest.raises(ClientError) as reserved:
        iam.create_virtual_mfa_device(VirtualMFADeviceName="other", Tags=[{"Key": "aws:x", "Value": "v"}])
    assert error_code(reserved) == "InvalidInput"
    assert [d["SerialNumber"] for d in iam.list_virtual_mfa_devices()["VirtualMFADevices"]] == [serial]
