"""Shaping directory objects into botocore's IAM output shapes, and paging lists the services return whole.

Shared by the policy, role, attachment, MFA and authorization-details handlers; the framework renders the
dicts built here into AWS's XML.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from iam_console.errors import ValidationError
from iam_console.pagination import clean_max_items, decode_marker, encode_marker

T = TypeVar("T")


def document(text: str) -> str:
    """A policy document as IAM returns it: URL-encoded JSON (botocore decodes it back into a dict)."""
    return quote(text, safe="")


def tag_list(tags: Iterable[Any]) -> list[dict]:
    return [{"Key": tag.key, "Value": tag.value} for tag in tags]


def tags_in(params: dict) -> list[dict]:
    """The request's Tags in the services' form."""
    return [{"key": tag["Key"], "value": tag.get("Value", "")} for tag in params.get("Tags") or []]


def page(items: Sequence[T], params: dict, key: Callable[[T], str], name: str) -> dict:
    """One page of a list a service returned whole, as {name: [...], IsTruncated, Marker}.

    The marker is opaque keyset text (the last key handed out), so a page never repeats or skips an item
    when items before it come or go between calls, exactly like the services' own keyset pages.
    """
    limit = clean_max_items(params.get("MaxItems"))
    after = decode_marker(params.get("Marker"))
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [item for item in ordered if key(item) > after]
    chosen = ordered[:limit]
    body: dict = {name: chosen, "IsTruncated": len(ordered) > limit}
    if body["IsTruncated"]:
        body["Marker"] = encode_marker(key(chosen[-1]))
    return body


def page_of(result, name: str, shape: Callable[[Any], dict]) -> dict:
    """A service's keyset Page rendered as {name: [...], IsTruncated, Marker}."""
    body: dict = {name: [shape(item) for item in result.items], "IsTruncated": result.is_truncated}
    if result.marker:
        body["Marker"] = result.marker
    return body


def shaped(body: dict, name: str, shape: Callable[[Any], Any]) -> dict:
    body[name] = [shape(item) for item in body[name]]
    return body


def require_list_of_strings(value: object, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValidationError(f"{field} must be a list of strings")
    return value


def boundary(policy) -> dict | None:
    """AttachedPermissionsBoundary for a user's or role's boundary policy (None: no boundary)."""
    if policy is None:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": policy.arn}


def attached_policy(policy) -> dict:
    return {"PolicyName": policy.policy_name, "PolicyArn": policy.arn}


def user(entity) -> dict:
    """botocore's User shape (the fields every user answer carries)."""
    body = {"Path": entity.path, "UserName": entity.user_name, "UserId": entity.user_id, "Arn": entity.arn,
            "CreateDate": entity.create_date}
    if entity.last_login:
        body["PasswordLastUsed"] = entity.last_login
    return body


def without_none(body: dict) -> dict:
    return {key: value for key, value in body.items() if value is not None}
