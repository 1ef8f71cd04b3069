"""IAM's error messages in plain words for people at the console.

The services raise AWS's messages, which the REST and Query APIs pass on unchanged ("Member must satisfy regular
expression pattern: [\\w+=,.@-]+", "tags[0].key must be…"): scripts and SDKs expect them. A person filling in
a form needs to read what is allowed instead, so the console's door translates here, knowing which field the
error belongs to. Messages that are already plain (AWS's "User with name alice already exists.") pass as they are.
"""

from __future__ import annotations

import re

from iam_console.errors import IAMError

NAME_CHARACTERS = "letters A-Z and a-z, digits and + = , . @ _ - (no spaces, no accented letters such as é)"
TAG_CHARACTERS = "letters, digits, spaces and _ . : / = + - @"

# Which kind of value a form field holds, to say what that kind allows.
FIELD_KINDS = {
    "user_name": "name", "group_name": "name", "role_name": "name", "policy_name": "name", "new_name": "name",
    "device_name": "name", "name": "name",
    "path": "path", "new_path": "path",
    "key": "tag_key", "value": "tag_value",
    "description": "description",
}
NAME_LIMITS = {"user_name": 64, "device_name": 226}

_LENGTH = re.compile(r"Member must have length less than or equal to (\d+)")
_AT_FIELD = re.compile(r"at '([\w.\[\]]+)' failed to satisfy constraint")
_AWS_FIELDS = {"userName": "user_name", "newUserName": "new_name", "groupName": "group_name",
               "newGroupName": "new_name", "roleName": "role_name", "policyName": "policy_name",
               "virtualMFADeviceName": "device_name", "path": "path", "newPath": "new_path",
               "description": "description"}


def _kind_of(field: str | None, message: str) -> str | None:
    if field in FIELD_KINDS:
        return FIELD_KINDS[field]
    named = _AT_FIELD.search(message)
    if named and named.group(1) in _AWS_FIELDS:
        return FIELD_KINDS.get(_AWS_FIELDS[named.group(1)])
    if re.search(r"tags\[\d+\]\.key|tag key", message):
        return "tag_key"
    if re.search(r"tags\[\d+\]\.value", message):
        return "tag_value"
    if message.startswith("description"):
        return "description"
    return None


def plain_message(error: IAMError, field: str | None = None) -> str:
    """What to tell a person about `error`, raised for the form field `field` (None: the whole form)."""
    message = error.message
    kind = _kind_of(field, message)
    length = _LENGTH.search(message)
    if kind == "name":
        if length:
            return f"Use at most {length.group(1)} characters."
        if "regular expression" in message or "is required" in message:
            limit = NAME_LIMITS.get(field or "", 0)
            most = f"up to {limit} " if limit else ""
            return f"Use only {most}{NAME_CHARACTERS}."
    if kind == "path" and error.code == "ValidationError":
        return "A path begins and ends with / and holds only letters, digits and punctuation (no spaces or " \
               "accented letters), such as / or /engineering/. At most 512 characters."
    if kind == "tag_key":
        if "reserved prefix" in message:
            return "Tag keys cannot begin with aws: (it is reserved)."
        if "Duplicate" in message:
            return "There is already a tag with this key (tag keys ignore case)."
        return f"A tag key is 1 to 128 characters: {TAG_CHARACTERS}."
    if kind == "tag_value":
        return f"A tag value is at most 256 characters: {TAG_CHARACTERS}."
    if kind == "description" and error.code == "ValidationError":
        return "A description is at most 1000 characters of letters (including accented ones), digits, spaces " \
               "and punctuation. Symbols such as ✓ and emoji cannot be used."
    if "Duplicate tag key" in message:
        return "There is already a tag with this key (tag keys ignore case)."
    if error.code == "AccessDenied":
        return f"You are not allowed to do this. {message}"
    return message
