"""Tags on any taggable entity (users, roles, managed policies): the request-tag context, merging under the 50-tag quota, removal."""

from __future__ import annotations

from django.db import models

from iam_console.errors import LimitExceeded
from iam_console.validation import TAGS_PER_ENTITY


def request_tag_context(tags: dict[str, str]) -> dict:
    """aws:RequestTag/<key> and aws:TagKeys, the condition keys a tagging request carries."""
    context: dict = {f"aws:RequestTag/{key}": value for key, value in tags.items()}
    if tags:
        context["aws:TagKeys"] = list(tags)
    return context


def merge_tags(tag_model: type[models.Model], owner: dict, tags: dict[str, str], *, quota_name: str) -> list:
    """Add or update tags; keys compare case-insensitively. The caller holds the owner's row lock."""
    existing = {tag.key_lower: tag for tag in tag_model.objects.filter(**owner)}
    new_keys = {key.lower() for key in tags} - set(existing)
    if len(existing) + len(new_keys) > TAGS_PER_ENTITY:
        raise LimitExceeded(f"Cannot exceed quota for {quota_name}: {TAGS_PER_ENTITY}")
    for key, value in tags.items():
        current = existing.get(key.lower())
        if current is None:
            tag_model.objects.create(**owner, key=key, value=value)
        elif current.key != key or current.value != value:
            current.key, current.value = key, value
            current.save(update_fields=["key", "value"])
    return list(tag_model.objects.filter(**owner))


def remove_tags(tag_model: type[models.Model], owner: dict, keys: list[str]) -> None:
    tag_model.objects.filter(**owner, key_lower__in=[key.lower() for key in keys]).delete()
