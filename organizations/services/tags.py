"""Tags on the organization's accounts, OUs, root and policies: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from accounts.models import Organization, OrganizationPolicy, OrganizationResourcePolicy, OrganizationTag
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import TargetNotFoundException, constraint_violation
from organizations.paging import page
from organizations.services.nodes import target_kind

MAX_TAGS = 50


def tag_rows(resource_id: str, tags: list[dict]) -> list[OrganizationTag]:
    """The rows of tags given with a create call (at most 50; a key given twice keeps its last value)."""
    values = {tag["Key"]: tag.get("Value", "") for tag in tags}
    if len(values) > MAX_TAGS:
        raise constraint_violation("MAX_TAG_LIMIT_EXCEEDED", f"A resource takes at most {MAX_TAGS} tags.")
    return [OrganizationTag(resource_id=resource_id, key=key, value=value) for key, value in values.items()]


def _resource(organization: Organization, resource_id: str) -> None:
    """An account, OU or root of the organization, one of its own policies or its resource policy;
    TargetNotFoundException else."""
    if resource_id.startswith("rp-"):
        if not OrganizationResourcePolicy.objects.filter(organization=organization, pk=resource_id).exists():
            raise TargetNotFoundException()
        return
    if resource_id.startswith("p-"):
        if not OrganizationPolicy.objects.filter(organization=organization, pk=resource_id).exists():
            raise TargetNotFoundException()
        return
    target_kind(organization, resource_id)


def _arn(resource_id: str):
    def arn(organization: Organization) -> str:
        if resource_id.startswith("rp-"):
            return identifiers.resource_policy_arn(organization, resource_id)
        if resource_id.startswith("p-"):
            return identifiers.policy_arn(organization, resource_id, "service_control_policy")
        return identifiers.target_arn(organization, resource_id)

    return arn


@iam_operation("TagResource", event_source=EVENT_SOURCE)
def tag_resource(*, caller: Caller, resource_id: str, tags: list[dict]) -> None:
    organization = organization_for(caller, "TagResource", _arn(resource_id), lock=True)
    _resource(organization, resource_id)
    existing = dict(OrganizationTag.objects.filter(resource_id=resource_id).values_list("key", "value"))
    wanted = {**existing, **{tag["Key"]: tag.get("Value", "") for tag in tags}}
    if len(wanted) > MAX_TAGS:
        raise constraint_violation("MAX_TAG_LIMIT_EXCEEDED", f"A resource takes at most {MAX_TAGS} tags.")
    for tag in tags:
        OrganizationTag.objects.update_or_create(resource_id=resource_id, key=tag["Key"],
                                                 defaults={"value": tag.get("Value", "")})


@iam_operation("UntagResource", event_source=EVENT_SOURCE)
def untag_resource(*, caller: Caller, resource_id: str, tag_keys: list[str]) -> None:
    organization = organization_for(caller, "UntagResource", _arn(resource_id), lock=True)
    _resource(organization, resource_id)
    OrganizationTag.objects.filter(resource_id=resource_id, key__in=tag_keys).delete()


@iam_operation("ListTagsForResource", event_source=EVENT_SOURCE)
def list_tags_for_resource(*, caller: Caller, resource_id: str, next_token: str | None = None
                           ) -> tuple[list[OrganizationTag], str | None]:
    organization = organization_for(caller, "ListTagsForResource", _arn(resource_id))
    _resource(organization, resource_id)
    return page(OrganizationTag.objects.filter(resource_id=resource_id), key="key", next_token=next_token,
                max_results=MAX_TAGS)
