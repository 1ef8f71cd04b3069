"""User tag operations: TagUser, UntagUser, ListUserTags."""

from __future__ import annotations

from directory import lookups
from directory.models import UserTag
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import validate_tag_key, validate_tags
from policies.authorization import Caller, authorize_caller


@iam_operation("TagUser")
def tag_user(*, caller: Caller, user_name: str, tags: list[dict]) -> list[UserTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    # Lock the user: the 50-tag quota must hold under concurrent TagUser calls.
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:TagUser", user.arn, request_tag_context(tag_map))
    return merge_tags(UserTag, {"user": user}, tag_map, quota_name="TagsPerUser")


@iam_operation("UntagUser")
def untag_user(*, caller: Caller, user_name: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    user = lookups.user_by_name(caller.account_id, user_name, for_update=True)
    authorize_caller(caller, "iam:UntagUser", user.arn, {"aws:TagKeys": keys})
    remove_tags(UserTag, {"user": user}, keys)


@iam_operation("ListUserTags")
def list_user_tags(*, caller: Caller, user_name: str) -> list[UserTag]:
    user = lookups.user_by_name(caller.account_id, user_name)
    authorize_caller(caller, "iam:ListUserTags", user.arn)
    return list(UserTag.objects.filter(user=user))
