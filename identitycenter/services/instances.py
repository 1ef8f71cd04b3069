"""ListInstances, DescribeInstance and UpdateInstance: the one instance of the management account; ListRegions and
DescribeRegion: the one region it is in, the directory's own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.access import EVENT_SOURCE, instance_for, instance_of
from identitycenter.errors import ResourceNotFoundException, ValidationException
from identitycenter.models import Instance
from policies.authorization import authorize_caller

NAME = re.compile(r"[\w+=,.@-]{0,255}")  # the model's NameType; an empty name clears it


@dataclass(frozen=True)
class Region:
    name: str
    added: datetime
    status: str = "ACTIVE"
    primary: bool = True


@iam_operation("ListInstances", event_source=EVENT_SOURCE)
def list_instances(*, caller: Caller) -> list[Instance]:
    authorize_caller(caller, "sso:ListInstances", "*")
    instance = instance_of(caller.account_id)
    return [instance] if instance is not None else []


@iam_operation("DescribeInstance", event_source=EVENT_SOURCE)
def describe_instance(*, caller: Caller, instance_arn: str) -> Instance:
    return instance_for(caller, instance_arn, "DescribeInstance")


@iam_operation("UpdateInstance", event_source=EVENT_SOURCE)
def update_instance(*, caller: Caller, instance_arn: str, name: str | None = None,
                    unsupported: tuple[str, ...] = ()) -> Instance:
    """Names the instance. Customer managed KMS keys and network controls are AWS infrastructure the directory does
    not have: a request setting them is refused rather than ignored."""
    instance = instance_for(caller, instance_arn, "UpdateInstance")
    if unsupported:
        raise ValidationException(f"{', '.join(unsupported)} cannot be set on this directory's instance.")
    if name is not None:
        if not isinstance(name, str) or not NAME.fullmatch(name):
            raise ValidationException("Name must be at most 255 letters, numbers and _+=,.@- characters.")
        Instance.objects.filter(pk=instance.pk).update(name=name)
        instance.name = name
    return instance


def _region(instance: Instance) -> Region:
    return Region(name=settings.IAM_DEFAULT_REGION, added=instance.created_at)


@iam_operation("ListRegions", event_source=EVENT_SOURCE)
def list_regions(*, caller: Caller, instance_arn: str) -> list[Region]:
    return [_region(instance_for(caller, instance_arn, "ListRegions"))]


@iam_operation("DescribeRegion", event_source=EVENT_SOURCE)
def describe_region(*, caller: Caller, instance_arn: str, region_name: str) -> Region:
    region = _region(instance_for(caller, instance_arn, "DescribeRegion"))
    if region_name != region.name:
        raise ResourceNotFoundException(f"The instance is not in the region {str(region_name)[:32]}: it is in "
                                        f"{region.name} only.")
    return region
