"""Between the identity store's rows and SCIM's resources, through scim2-models' User (with the enterprise
extension) and Group: SCIM's camelCase names are AWS's member names with a lower-case first letter."""

from __future__ import annotations

from typing import Any

from scim2_models import Context, EnterpriseUser, Group, User

from identitystore.attributes import ENTERPRISE_EXTENSION, LISTS, NAME_PARTS, PLAIN_STRINGS
from identitystore.models import SCIM_ISSUER, WorkforceGroup, WorkforceUser, scim_external_id

ScimUser = User[EnterpriseUser]
CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
CORE_GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# SCIM's multi-valued attributes -> AWS's.
_SCIM_LISTS = {name[0].lower() + name[1:]: name for name in LISTS}


def _scim(name: str) -> str:
    return name[0].lower() + name[1:]


def _aws(name: str) -> str:
    return name[0].upper() + name[1:]


def _time(moment) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def user_resource(user: WorkforceUser, base_url: str) -> dict[str, Any]:
    """The SCIM representation of a user (a plain dict, ready for JSON)."""
    profile = user.profile
    body: dict[str, Any] = {"schemas": [CORE_USER], "id": user.user_id, "userName": user.user_name}
    external = scim_external_id(user.external_ids)
    if external is not None:
        body["externalId"] = external
    if user.display_name:
        body["displayName"] = user.display_name
    if profile.get("Name"):
        body["name"] = {_scim(key): value for key, value in profile["Name"].items()}
    for key in PLAIN_STRINGS:
        if key in profile and key not in ("Website", "Birthdate"):
            body[_scim(key)] = profile[key]
    body["active"] = user.active
    for scim_name, aws_name in _SCIM_LISTS.items():
        if profile.get(aws_name):
            body[scim_name] = [{_scim(key): value for key, value in item.items()} for item in profile[aws_name]]
    enterprise = (profile.get("Extensions") or {}).get(ENTERPRISE_EXTENSION)
    if enterprise:
        body["schemas"].append(ENTERPRISE_USER)
        body[ENTERPRISE_USER] = {key: ({"value": value["value"], "$ref": f"{base_url}/Users/{value['value']}"}
                                       if key == "manager" else value) for key, value in enterprise.items()}
    body["meta"] = {"resourceType": "User", "created": _time(user.created_at),
                    "lastModified": _time(user.updated_at), "location": f"{base_url}/Users/{user.user_id}"}
    return body


def user_model(user: WorkforceUser, base_url: str) -> ScimUser:
    """The user as scim2-models' resource, for PATCH to apply its operations to."""
    return ScimUser.model_validate(user_resource(user, base_url))


def user_state(user: WorkforceUser) -> dict[str, Any]:
    """What SCIM can change of a user, in AWS's names: the top-level attributes UpdateUser knows."""
    state = {"UserName": user.user_name, "DisplayName": user.display_name or None,
             "UserStatus": "ENABLED" if user.active else "DISABLED", "ExternalIds": user.external_ids or None}
    for key in (*PLAIN_STRINGS, "Name", *LISTS, "Extensions"):
        state[key] = user.profile.get(key)
    return state


def state_of_scim_user(scim_user: ScimUser, previous_external_ids: list[dict]) -> dict[str, Any]:
    """A validated SCIM user (created, replaced or patched) as AWS's attributes. Website and Birthdate, which
    SCIM's core schema lacks, are left as they were by the caller."""
    body = scim_user.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    others = [item for item in previous_external_ids if item.get("Issuer") != SCIM_ISSUER]
    external = body.get("externalId")
    external_ids = others + ([{"Issuer": SCIM_ISSUER, "Id": external}] if external else [])
    state: dict[str, Any] = {
        "UserName": body.get("userName"),
        "DisplayName": body.get("displayName"),
        "UserStatus": "DISABLED" if body.get("active") is False else "ENABLED",
        "ExternalIds": external_ids or None,
    }
    for key in PLAIN_STRINGS:
        if key not in ("Website", "Birthdate"):
            state[key] = body.get(_scim(key))
    name = {_aws(key): value for key, value in (body.get("name") or {}).items()
            if _aws(key) in NAME_PARTS and value is not None}
    state["Name"] = name or None
    for scim_name, aws_name in _SCIM_LISTS.items():
        members = LISTS[aws_name][0]
        values = [{_aws(key): value for key, value in item.items() if value is not None and _aws(key) in members}
                  for item in body.get(scim_name) or []]
        state[aws_name] = [value for value in values if value] or None
    enterprise = {key: value for key, value in (body.get(ENTERPRISE_USER) or {}).items() if value is not None}
    if "manager" in enterprise:
        manager = enterprise.pop("manager")
        if isinstance(manager, dict) and manager.get("value"):
            enterprise["manager"] = {"value": manager["value"]}
    state["Extensions"] = {ENTERPRISE_EXTENSION: enterprise} if enterprise else None
    return state


def operations_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """UpdateUser's attribute operations that turn one state into the other (a missing value removes)."""
    operations = []
    for key, value in after.items():
        if key in ("Website", "Birthdate") or before.get(key) == value:
            continue
        operations.append({"AttributePath": key} if value is None else {"AttributePath": key, "AttributeValue": value})
    return operations


def group_resource(group: WorkforceGroup, base_url: str, members: list[str] | None) -> dict[str, Any]:
    body: dict[str, Any] = {"schemas": [CORE_GROUP], "id": group.group_id, "displayName": group.display_name}
    external = scim_external_id(group.external_ids)
    if external is not None:
        body["externalId"] = external
    if members:
        body["members"] = [{"value": user_id, "$ref": f"{base_url}/Users/{user_id}", "type": "User"}
                           for user_id in members]
    body["meta"] = {"resourceType": "Group", "created": _time(group.created_at),
                    "lastModified": _time(group.updated_at), "location": f"{base_url}/Groups/{group.group_id}"}
    return body


def group_model(group: WorkforceGroup, base_url: str, members: list[str]) -> Group:
    return Group.model_validate(group_resource(group, base_url, members))


def state_of_scim_group(scim_group: Group, previous_external_ids: list[dict]) -> tuple[dict[str, Any], list[str]]:
    """(UpdateGroup's attributes, the member user ids) of a validated SCIM group."""
    body = scim_group.model_dump(scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST)
    others = [item for item in previous_external_ids if item.get("Issuer") != SCIM_ISSUER]
    external = body.get("externalId")
    external_ids = others + ([{"Issuer": SCIM_ISSUER, "Id": external}] if external else [])
    members = []
    for member in body.get("members") or []:
        if member.get("value") and member["value"] not in members:
            members.append(member["value"])
    return {"DisplayName": body.get("displayName"), "ExternalIds": external_ids or None}, members
