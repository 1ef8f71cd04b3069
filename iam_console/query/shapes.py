"""Helpers every handler shares: model objects as output dicts, policy documents, Marker/MaxItems pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote

from django.db.models import prefetch_related_objects

from iam_console.pagination import Page, clean_max_items, decode_marker, encode_marker
from iam_console.query.serialization import iso8601

__all__ = ["iso8601", "policy_document", "page_out", "paginate_list", "user_out", "group_out", "tags_out",
           "boundary_out", "access_key_metadata", "kwargs", "maybe"]


def policy_document(document: str | dict) -> str:
    """A policy document as AWS returns it: URL-encoded JSON (boto3 decodes it back into a dict)."""
    text = document if isinstance(document, str) else json.dumps(document)
    return quote(text, safe="")


def maybe(params: dict, name: str, default: Any = None) -> Any:
    value = params.get(name)
    return default if value is None else value


def kwargs(params: dict, **names: str) -> dict[str, Any]:
    """Service keyword arguments from request parameters: kwargs(params, user_name="UserName", ...), absent
    parameters left out so the service's defaults apply."""
    return {argument: params[name] for argument, name in names.items() if params.get(name) is not None}


def page_out(page: Page, list_name: str, convert: Callable[[Any], dict]) -> dict[str, Any]:
    """A service's Page as AWS's list answer: the items, IsTruncated, and Marker only when truncated."""
    answer: dict[str, Any] = {list_name: [convert(item) for item in page.items], "IsTruncated": page.is_truncated}
    if page.is_truncated and page.marker:
        answer["Marker"] = page.marker
    return answer


def paginate_list(items: Sequence[Any], *, marker: str | None, max_items: object) -> Page:
    """Marker/MaxItems over a list already in memory (a user's tags, its access keys)."""
    limit = clean_max_items(max_items)
    after = decode_marker(marker)
    start = int(after) if after is not None and after.isdigit() else 0
    chunk = list(items[start:start + limit])
    truncated = start + limit < len(items)
    return Page(items=chunk, is_truncated=truncated, marker=encode_marker(str(start + limit)) if truncated else None)


def tags_out(tags: Iterable[Any]) -> list[dict[str, str]]:
    return [{"Key": tag.key, "Value": tag.value} for tag in tags]


def boundary_out(boundary: Any) -> dict[str, str] | None:
    """AWS's AttachedPermissionsBoundary of a user or role, from its one-to-one boundary row (or None)."""
    if boundary is None:
        return None
    return {"PermissionsBoundaryType": "PermissionsBoundaryPolicy", "PermissionsBoundaryArn": boundary.policy.arn}


def user_out(user: Any, *, detail: bool = False) -> dict[str, Any]:
    """AWS's User. `detail` (GetUser, CreateUser) adds the tags and the permissions boundary."""
    out = {"Path": user.path, "UserName": user.user_name, "UserId": user.user_id, "Arn": user.arn,
           "CreateDate": user.create_date, "PasswordLastUsed": user.last_login}
    if user.is_root:  # the account itself, as AWS shows it: its id is the account's
        out["UserId"] = user.account_id
    if detail:
        prefetch_related_objects([user], "tags")
        tags = tags_out(user.tags.all())
        if tags:
            out["Tags"] = tags
        out["PermissionsBoundary"] = boundary_out(getattr(user, "permissions_boundary", None))
    return out


def group_out(group: Any) -> dict[str, Any]:
    return {"Path": group.path, "GroupName": group.group_name, "GroupId": group.group_id, "Arn": group.arn,
            "CreateDate": group.create_date}


def access_key_metadata(key: Any, user_name: str) -> dict[str, Any]:
    return {"UserName": user_name, "AccessKeyId": key.access_key_id, "Status": key.status,
            "CreateDate": key.create_date}
