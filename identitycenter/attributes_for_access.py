"""Attributes for access control: the identity-store attribute paths a configuration may name as a source
(`${path:enterprise.department}`), and a person's values of them as the session tags their role sessions carry."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from identitycenter.errors import ValidationException
from identitystore.attributes import ENTERPRISE_EXTENSION
from identitystore.models import WorkforceUser

ATTRIBUTES_MAX = 50  # the model's AccessControlAttributeList, and AWS's 50 session tags a session
KEY = re.compile(r"[\w .:/=+\-@]{1,128}")
SOURCE = re.compile(r"\$\{path:([^}]+)\}")
# A session tag's value: up to 256 characters of these; a person's value that is not one is not passed.
TAG_VALUE = re.compile(r"[\w .:/=+\-@]{0,256}")


def _profile(*keys: str) -> Callable[[WorkforceUser], Any]:
    def read(user: WorkforceUser) -> Any:
        value: Any = user.profile or {}
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value
    return read


def _primary(list_name: str, member: str) -> Callable[[WorkforceUser], Any]:
    def read(user: WorkforceUser) -> Any:
        for item in (user.profile or {}).get(list_name) or ():
            if isinstance(item, dict) and item.get("Primary") is True:
                return item.get(member)
        return None
    return read


_PLAIN = ("nickName", "title", "userType", "preferredLanguage", "locale", "timezone", "profileUrl")
_NAME = ("givenName", "familyName", "middleName", "formatted", "honorificPrefix", "honorificSuffix")
_ADDRESS = ("streetAddress", "locality", "region", "postalCode", "country", "formatted")
_ENTERPRISE = ("employeeNumber", "costCenter", "organization", "division", "department")


def _cap(name: str) -> str:
    return name[0].upper() + name[1:]


# Every path the identity store has a value for, as AWS spells it in a source.
PATHS: dict[str, Callable[[WorkforceUser], Any]] = {
    "userName": lambda user: user.user_name,
    "displayName": lambda user: user.display_name,
    **{name: _profile(_cap(name)) for name in _PLAIN},
    **{f"name.{part}": _profile("Name", _cap(part)) for part in _NAME},
    "emails[primary eq true].value": _primary("Emails", "Value"),
    "phoneNumbers[primary eq true].value": _primary("PhoneNumbers", "Value"),
    **{f"addresses[primary eq true].{part}": _primary("Addresses", _cap(part)) for part in _ADDRESS},
    **{f"enterprise.{part}": _profile("Extensions", ENTERPRISE_EXTENSION, part) for part in _ENTERPRISE},
}


def checked(configuration: object) -> list[dict[str, str]]:
    """The configuration's attributes as kept ([{"Key", "Source"}]), or ValidationException saying what to fix."""
    attributes = configuration.get("AccessControlAttributes") if isinstance(configuration, dict) else None
    if not isinstance(attributes, list):
        raise ValidationException("InstanceAccessControlAttributeConfiguration must hold AccessControlAttributes.")
    if len(attributes) > ATTRIBUTES_MAX:
        raise ValidationException(f"AccessControlAttributes may hold at most {ATTRIBUTES_MAX} attributes.")
    kept: list[dict[str, str]] = []
    seen: set[str] = set()
    for attribute in attributes:
        key = attribute.get("Key") if isinstance(attribute, dict) else None
        if not isinstance(key, str) or not KEY.fullmatch(key):
            raise ValidationException("An attribute's Key must be 1 to 128 letters, numbers, spaces and _.:/=+-@.")
        if key.lower() in seen:  # session tag keys are case-insensitive
            raise ValidationException(f"The Key {key} is given more than once.")
        seen.add(key.lower())
        value = attribute.get("Value")
        sources = value.get("Source") if isinstance(value, dict) else None
        if not isinstance(sources, list) or len(sources) != 1 or not isinstance(sources[0], str):
            raise ValidationException(f"The attribute {key} must have exactly one Source.")
        matched = SOURCE.fullmatch(sources[0])
        if matched is None or matched.group(1) not in PATHS:
            raise ValidationException(
                f"The Source {sources[0][:256]} of the attribute {key} is not an identity store attribute: "
                f"name one as ${{path:<attribute>}}, one of {', '.join(PATHS)}.")
        kept.append({"Key": key, "Source": sources[0]})
    return kept


def rendered(attributes: list[dict[str, str]]) -> dict[str, list[dict]]:
    return {"AccessControlAttributes": [{"Key": item["Key"], "Value": {"Source": [item["Source"]]}}
                                        for item in attributes]}


def session_tags_of(user: WorkforceUser, attributes: list[dict[str, str]]) -> dict[str, str]:
    """The person's values of the configured attributes, keyed as configured; an attribute they have no value for
    (or one that cannot be a session tag's value) is left out, as AWS leaves it out."""
    tags: dict[str, str] = {}
    for item in attributes:
        matched = SOURCE.fullmatch(item["Source"])
        read = PATHS.get(matched.group(1)) if matched else None
        value = read(user) if read else None
        if isinstance(value, str) and value and TAG_VALUE.fullmatch(value):
            tags[item["Key"]] = value
    return tags
