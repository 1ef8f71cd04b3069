"""Shaping directory objects into botocore's IAM output shapes, and paging lists the services return whole.

Shared by the policy, role, attachment, MFA and authorization-details handlers; the framework renders the
dicts built here into AWS's XML.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from iam_console.pagination import clean_max_items, decode_marker, encode_marker
from iam_console.query.shapes import page_out, policy_document, tags_out, user_out  # noqa: F401 - re-exported

T = TypeVar("T")


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


def shaped(body: dict, name: str, shape: Callable[[Any], Any]) -> dict:
    body[name] = [shape(item) for item in body[name]]
    return body


def boundary(policy) -> dict | None:
    """AttachedPermissionsBoundary for a user's or role's boundary policy (None: no boundary)."""
    if policy is None:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": policy.arn}


def attached_policy(policy) -> dict:
    return {"PolicyName": policy.policy_name, "PolicyArn": policy.arn}


def without_none(body: dict) -> dict:
    return {key: value for key, value in body.items() if value is not None}
