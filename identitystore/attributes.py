"""A user's and a group's attributes as identitystore models them: AWS's member names, lengths and list sizes.

Every door hands attributes over in AWS's spelling (the SCIM door translates first); what is kept beside the
indexed columns lives in WorkforceUser.profile under the same names."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from identitystore.errors import Invalid

USER_NAME_MAX = 128
STRING_MAX = 1024
EXTERNAL_ID_PART_MAX = 256
EXTERNAL_IDS_MAX = 10
# AWS reserves these for users and groups alike.
RESERVED_NAMES = frozenset({"administrator", "awsadministrators"})
ENTERPRISE_EXTENSION = "aws:identitystore:enterprise"

PLAIN_STRINGS = ("NickName", "ProfileUrl", "UserType", "Title", "PreferredLanguage", "Locale", "Timezone",
                 "Website", "Birthdate")
NAME_PARTS = ("Formatted", "FamilyName", "GivenName", "MiddleName", "HonorificPrefix", "HonorificSuffix")
# Multi-valued attributes: their members, and how many values AWS keeps.
LISTS: dict[str, tuple[tuple[str, ...], int]] = {
    "Emails": (("Value", "Type", "Primary"), 1),
    "Addresses": (("StreetAddress", "Locality", "Region", "PostalCode", "Country", "Formatted", "Type", "Primary"),
                  1),
    "PhoneNumbers": (("Value", "Type", "Primary"), 1),
    "Photos": (("Value", "Type", "Display", "Primary"), 3),
    "Roles": (("Value", "Type", "Primary"), 1),
}
ENTERPRISE_STRINGS = ("employeeNumber", "costCenter", "organization", "division", "department")
PROFILE_KEYS = (*PLAIN_STRINGS, "Name", *LISTS, "Extensions")
_USER_NAME = re.compile(r"[^\s\x00-\x1f\x7f]+")


def _text(value: Any, field: str, *, maximum: int = STRING_MAX, spaces: bool = True) -> str:
    if not isinstance(value, str):
        raise Invalid(f"{field} must be a string.")
    if not 1 <= len(value) <= maximum:
        raise Invalid(f"{field} must be from 1 to {maximum} characters long.")
    for char in value:
        if char in "\t\n\r \u00a0\u3000":
            if not spaces:
                raise Invalid(f"{field} must not contain white space.")
        elif unicodedata.category(char)[0] in "CZ":
            raise Invalid(f"{field} may hold letters, marks, symbols, numbers, punctuation and spaces only.")
    return value


def user_name(value: Any) -> str:
    name = _text(value, "UserName", maximum=USER_NAME_MAX, spaces=False)
    if name.lower() in RESERVED_NAMES:
        raise Invalid(f"{name} is a reserved name and can't be used for users or groups.")
    return name


def display_name(value: Any, field: str = "DisplayName") -> str:
    name = _text(value, field)
    if field == "DisplayName" and name.lower() in RESERVED_NAMES:
        raise Invalid(f"{name} is a reserved name and can't be used for users or groups.")
    return name


def text(value: Any, field: str) -> str:
    return _text(value, field)


def external_ids(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 1 <= len(value) <= EXTERNAL_IDS_MAX:
        raise Invalid(f"ExternalIds must be a list of 1 to {EXTERNAL_IDS_MAX} identifiers.")
    cleaned, seen = [], set()
    for item in value:
        if not isinstance(item, dict) or set(item) - {"Issuer", "Id"}:
            raise Invalid("Each of ExternalIds holds an Issuer and an Id.")
        entry = {"Issuer": _text(item.get("Issuer"), "ExternalIds.Issuer", maximum=EXTERNAL_ID_PART_MAX,
                                 spaces=False),
                 "Id": _text(item.get("Id"), "ExternalIds.Id", maximum=EXTERNAL_ID_PART_MAX, spaces=False)}
        if entry["Issuer"] in seen:
            raise Invalid("ExternalIds may name each issuer once.")
        seen.add(entry["Issuer"])
        cleaned.append(entry)
    return cleaned


def _boolean(value: Any, field: str) -> bool:
    if not isinstance(value, bool):
        raise Invalid(f"{field} must be a boolean.")
    return value


def _structure(value: Any, field: str, members: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Invalid(f"{field} must be an object.")
    unknown = set(value) - set(members)
    if unknown:
        raise Invalid(f"{field} has no member {sorted(unknown)[0]}.")
    cleaned = {}
    for key, item in value.items():
        if item is None:
            continue
        cleaned[key] = _boolean(item, f"{field}.{key}") if key == "Primary" else _text(item, f"{field}.{key}")
    return cleaned


def _values(value: Any, field: str) -> list[dict[str, Any]]:
    members, maximum = LISTS[field]
    if not isinstance(value, list) or not 1 <= len(value) <= maximum:
        raise Invalid(f"{field} must be a list of 1 to {maximum} values.")
    return [_structure(item, field, members) for item in value]


def _extensions(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or not value:
        raise Invalid("Extensions must be a map of extension names to values.")
    unknown = set(value) - {ENTERPRISE_EXTENSION}
    if unknown:
        raise Invalid(f"{ENTERPRISE_EXTENSION} is the only supported extension name.")
    enterprise = value[ENTERPRISE_EXTENSION]
    if not isinstance(enterprise, dict):
        raise Invalid(f"{ENTERPRISE_EXTENSION} must be an object.")
    cleaned: dict[str, Any] = {}
    for key, item in enterprise.items():
        if item is None:
            continue
        if key in ENTERPRISE_STRINGS:
            cleaned[key] = _text(item, f"{ENTERPRISE_EXTENSION}.{key}")
        elif key == "manager":
            if not isinstance(item, dict) or set(item) - {"value"}:
                raise Invalid(f"{ENTERPRISE_EXTENSION}.manager holds a value only.")
            if item.get("value") is not None:
                cleaned[key] = {"value": _text(item["value"], f"{ENTERPRISE_EXTENSION}.manager.value")}
        else:
            raise Invalid(f"{ENTERPRISE_EXTENSION} has no attribute {key}.")
    return {ENTERPRISE_EXTENSION: cleaned} if cleaned else {}


def profile_value(key: str, value: Any) -> Any:
    """One attribute of a user's profile, checked as AWS checks it."""
    if key in PLAIN_STRINGS:
        return _text(value, key)
    if key == "Name":
        return _structure(value, "Name", NAME_PARTS)
    if key in LISTS:
        return _values(value, key)
    if key == "Extensions":
        return _extensions(value)
    raise Invalid(f"{key} is not an attribute of a user.")


def profile(attributes: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key, value in attributes.items():
        if value is None:
            continue
        checked = profile_value(key, value)
        if checked or checked is False:
            cleaned[key] = checked
    return cleaned


def primary_email(profile_: dict[str, Any]) -> str:
    emails = profile_.get("Emails") or []
    return next((email.get("Value", "") for email in emails if email.get("Primary")),
                emails[0].get("Value", "") if emails else "")
