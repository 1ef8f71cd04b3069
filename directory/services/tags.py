"""User tag operations: TagUser, UntagUser, ListUserTags."""

from __future__ import annotations

from directory import lookups
from directory.models import UserTag
from directory.validation import TAGS_PER_ENTITY, validate_tag_key, validate_tags
from iam_console.errors import LimitExceeded, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller


@iam_operation("TagUser")
def tag_user(*, caller: Caller, user_name: str, tags: list[dict]) -> list[UserTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    # Lock the user: the 50-tag quota must hold under concurrent TagUser calls.
    user = lookups.user_by_name(user_name, for_update=True)
    context = {f"aws:RequestTag/{key}": value for key, value in tag_map.items()} | {"aws:TagKeys": list(tag_map)}
    authorize_caller(caller, "iam:TagUser", user.arn, context)
    existing = {tag.key_lower: tag for tag in UserTag.objects.filter(user=user)}
    new_keys = {key.lower() for key in tag_map} - set(existing)
    if len(existing) + len(new_keys) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"Cannot exceed quota for TagsPerUser: {TAGS_PER_ENTITY}")
    for key, value in tag_map.items():
        current = existing.get(key.lower())
        if current is None:
            UserTag.objects.create(user=user, key=key, value=value)
        elif current.key != key or current.value != value:
            current.key, current.value = key, value
            current.save(update_fields=["key", "value"])
    return list(UserTag.objects.filter(user=user))


@iam_operation("UntagUser")
def untag_user(*, caller: Caller, user_name: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    user = lookups.user_by_name(user_name, for_update=True)
    authorize_caller(caller, "iam:UntagUser", user.arn, {"aws:TagKeys": keys})
    UserTag.objects.filter(user=user, key_lower__in=[key.lower() for key in keys]).delete()


@iam_operation("ListUserTags")
def list_user_tags(*, caller: Caller, user_name: str) -> list[UserTag]:
    user = lookups.user_by_name(user_name)
    authorize_caller(caller, "iam:ListUserTags", user.arn)
    return list(UserTag.objects.filter(user=user))
