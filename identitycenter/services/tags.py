"""Tag/Untag/ListTagsForResource: tags of permission sets (AWS's only taggable sso-admin resource here)."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter import identifiers
from identitycenter.access import EVENT_SOURCE, instance_of, page, permission_set_for
from identitycenter.errors import (
    ResourceNotFoundException,
    ServiceQuotaExceededException,
    ValidationException,
)
from identitycenter.models import PermissionSetTag

TAGS_PER_RESOURCE = 50


def tag_map(tags: list[dict]) -> dict[str, str]:
    given: dict[str, str] = {}
    for tag in tags:
        if tag["Key"].lower().startswith("aws:"):
            raise ValidationException("Tag keys may not begin with aws: (it is reserved).")
        given[tag["Key"]] = tag.get("Value") or ""
    if len(given) > TAGS_PER_RESOURCE:
        raise ServiceQuotaExceededException(f"A resource can have at most {TAGS_PER_RESOURCE} tags.")
    return given


def _resource(caller: Caller, instance_arn: str | None, resource_arn: str, action: str):
    if instance_arn is None:
        instance = instance_of(caller.account_id)
        if instance is None:
            raise ResourceNotFoundException("Instance not found.")
        instance_arn = instance.arn
    try:
        identifiers.permission_set_ids_of(resource_arn)
    except ValidationException:
        raise ValidationException("ResourceArn must be the ARN of a permission set.") from None
    return permission_set_for(caller, instance_arn, resource_arn, action, lock=True)


@iam_operation("TagResource", event_source=EVENT_SOURCE)
def tag_resource(*, caller: Caller, resource_arn: str, tags: list[dict], instance_arn: str | None = None) -> None:
    found = _resource(caller, instance_arn, resource_arn, "TagResource")
    given = tag_map(tags)
    existing = {tag.key: tag for tag in found.tags.all()}
    if len(set(existing) | set(given)) > TAGS_PER_RESOURCE:
        raise ServiceQuotaExceededException(f"A resource can have at most {TAGS_PER_RESOURCE} tags.")
    for key, value in given.items():
        PermissionSetTag.objects.update_or_create(permission_set=found, key=key, defaults={"value": value})


@iam_operation("UntagResource", event_source=EVENT_SOURCE)
def untag_resource(*, caller: Caller, resource_arn: str, tag_keys: list[str], instance_arn: str | None = None) -> None:
    found = _resource(caller, instance_arn, resource_arn, "UntagResource")
    found.tags.filter(key__in=tag_keys).delete()


@iam_operation("ListTagsForResource", event_source=EVENT_SOURCE)
def list_tags_for_resource(*, caller: Caller, resource_arn: str, instance_arn: str | None = None,
                           next_token: str | None = None) -> tuple[list[PermissionSetTag], str | None]:
    found = _resource(caller, instance_arn, resource_arn, "ListTagsForResource")
    return page(found.tags.all(), key="key", next_token=next_token, max_results=None)
