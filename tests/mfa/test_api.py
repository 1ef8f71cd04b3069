"""The MFA REST API: AWS's operations and parameter names in snake_case, its error codes, authorization."""

from __future__ import annotations

import pytest

from directory.mfa import totp
from tests.conftest import SELF_SERVICE
from tests.mfa.conftest import seed_from

pytestmark = pytest.mark.django_db


def _create(api, user_name="alice", name="phone"):
    response = api.post(f"/api/v1/users/{user_name}/mfa-devices/", {"virtual_mfa_device_name": name})
    assert response.status_code == 201, response.content
    return response.json()["virtual_mfa_device"]


def _enable(api, created, user_name="alice", offsets=(-1, 0)):
    seed, now = seed_from(created["base32_string_seed"]), totp.current_step()
    return api.post(f"/api/v1/users/{user_name}/mfa-devices/enable", {
        "serial_number": created["serial_number"], "authentication_code_1": totp.code_at(seed, now + offsets[0]),
        "authentication_code_2": totp.code_at(seed, now + offsets[1])})


def test_create_enable_list_deactivate_through_the_api(root_api, make_user):
    make_user("alice")
    created = _create(root_api)
    assert set(created) == {"serial_number", "base32_string_seed", "otpauth_uri"}
    assert created["serial_number"] == "arn:aws:iam::123456789012:mfa/phone"
    enabled = _enable(root_api, created)
    assert enabled.status_code == 200 and len(enabled.json()["recovery_codes"]) == 10
    listed = root_api.get("/api/v1/users/alice/mfa-devices/").json()
    assert [(d["serial_number"], d["device_name"], d["user_name"]) for d in listed["mfa_devices"]] == [
        ("arn:aws:iam::123456789012:mfa/phone", "phone", "alice")]
    assert listed["mfa_devices"][0]["enable_date"].endswith("Z") and "base32_string_seed" not in str(listed)
    virtual = root_api.get("/api/v1/virtual-mfa-devices/?assignment_status=Assigned").json()
    assert [d["serial_number"] for d in virtual["virtual_mfa_devices"]] == [created["serial_number"]]
    conflict = root_api.request("DELETE", "/api/v1/users/alice/mfa-devices/", {"serial_number": created["serial_number"]})
    assert (conflict.status_code, conflict.json()["error"]["code"]) == (409, "DeleteConflict")
    gone = root_api.post("/api/v1/users/alice/mfa-devices/deactivate", {"serial_number": created["serial_number"]})
    assert gone.status_code == 204
    assert root_api.get("/api/v1/users/alice/mfa-devices/").json()["mfa_devices"] == []
    unassigned = root_api.get("/api/v1/virtual-mfa-devices/?assignment_status=Unassigned").json()
    assert [d["serial_number"] for d in unassigned["virtual_mfa_devices"]] == [created["serial_number"]]
    deleted = root_api.request("DELETE", "/api/v1/users/alice/mfa-devices/", {"serial_number": created["serial_number"]})
    assert deleted.status_code == 204
    assert root_api.get("/api/v1/virtual-mfa-devices/").json()["virtual_mfa_devices"] == []


def test_wrong_or_reused_codes_are_400_invalid_authentication_code(root_api, make_user):
    make_user("alice")
    created = _create(root_api)
    wrong = _enable(root_api, created, offsets=(0, 0))
    assert wrong.status_code == 400
    assert wrong.json()["error"] | {"request_id": ""} == {"code": "InvalidAuthenticationCode", "request_id": "",
                                                          "message": "Authentication code for device is not valid."}
    assert _enable(root_api, created).status_code == 200
    seed, now = seed_from(created["base32_string_seed"]), totp.current_step()
    reused = root_api.post("/api/v1/users/alice/mfa-devices/resync", {
        "serial_number": created["serial_number"], "authentication_code_1": totp.code_at(seed, now - 1),
        "authentication_code_2": totp.code_at(seed, now)})
    assert (reused.status_code, reused.json()["error"]["code"]) == (400, "InvalidAuthenticationCode")


def test_an_unenabled_device_is_deleted_and_unknown_parameters_are_refused(root_api, make_user):
    make_user("alice")
    created = _create(root_api)
    assert root_api.request("DELETE", "/api/v1/users/alice/mfa-devices/",
                           {"serial_number": created["serial_number"]}).status_code == 204
    bad = root_api.post("/api/v1/users/alice/mfa-devices/", {"virtual_mfa_device_name": "x", "seed": "AAAA"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "ValidationError")


def test_ninth_device_is_409_limit_exceeded(root_api, make_user):
    make_user("alice")
    for index in range(8):
        _create(root_api, name=f"d{index}")
    response = root_api.post("/api/v1/users/alice/mfa-devices/", {"virtual_mfa_device_name": "d8"})
    assert (response.status_code, response.json()["error"]["code"]) == (409, "LimitExceeded")


def test_self_service_users_manage_their_own_devices_only(user_api, make_user):
    make_user("victim")
    _, api = user_api("alice", policies=SELF_SERVICE)
    created = _create(api)
    assert _enable(api, created).status_code == 200
    for response in (api.get("/api/v1/users/victim/mfa-devices/"),
                     api.post("/api/v1/users/victim/mfa-devices/", {"virtual_mfa_device_name": "evil"}),
                     api.put("/api/v1/account/mfa-requirement/", {"scope": "None"})):
        assert (response.status_code, response.json()["error"]["code"]) == (403, "AccessDenied"), response.content


def test_mfa_requirement_is_read_and_set_through_the_api(root_api, root_caller):
    from directory.services import groups

    groups.create_group(caller=root_caller, group_name="admins")
    assert root_api.get("/api/v1/account/mfa-requirement/").json() == {
        "mfa_requirement": {"scope": "None", "group_names": []}}
    response = root_api.put("/api/v1/account/mfa-requirement/", {"scope": "Groups", "group_names": ["admins"]})
    assert response.json() == {"mfa_requirement": {"scope": "Groups", "group_names": ["admins"]}}
    missing = root_api.put("/api/v1/account/mfa-requirement/", {"scope": "Groups", "group_names": ["nope"]})
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "NoSuchEntity")
