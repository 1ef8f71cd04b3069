"""Create/Describe/Update/DeleteInstanceAccessControlAttributeConfiguration: the instance's attributes for access
control, which the portal passes as session tags on every role session it issues a person."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter import attributes_for_access
from identitycenter.access import EVENT_SOURCE, instance_for
from identitycenter.errors import ConflictException, ResourceNotFoundException
from identitycenter.models import AccessControlAttributeConfiguration, Instance

NONE_YET = "The instance has no attributes for access control configured."


def _configuration_of(instance: Instance, *, lock: bool = False) -> AccessControlAttributeConfiguration:
    rows = AccessControlAttributeConfiguration.objects.filter(instance=instance)
    found = (rows.select_for_update() if lock else rows).first()
    if found is None:
        raise ResourceNotFoundException(NONE_YET)
    return found


@iam_operation("CreateInstanceAccessControlAttributeConfiguration", event_source=EVENT_SOURCE)
def create_configuration(*, caller: Caller, instance_arn: str,
                         configuration: object) -> AccessControlAttributeConfiguration:
    instance = instance_for(caller, instance_arn, "CreateInstanceAccessControlAttributeConfiguration")
    attributes = attributes_for_access.checked(configuration)
    try:
        with transaction.atomic():
            return AccessControlAttributeConfiguration.objects.create(instance=instance, attributes=attributes)
    except IntegrityError:
        raise ConflictException("The instance already has attributes for access control: update them, or delete "
                                "them first.") from None


@iam_operation("DescribeInstanceAccessControlAttributeConfiguration", event_source=EVENT_SOURCE)
def describe_configuration(*, caller: Caller, instance_arn: str) -> AccessControlAttributeConfiguration:
    instance = instance_for(caller, instance_arn, "DescribeInstanceAccessControlAttributeConfiguration")
    return _configuration_of(instance)


@iam_operation("UpdateInstanceAccessControlAttributeConfiguration", event_source=EVENT_SOURCE)
def update_configuration(*, caller: Caller, instance_arn: str,
                         configuration: object) -> AccessControlAttributeConfiguration:
    instance = instance_for(caller, instance_arn, "UpdateInstanceAccessControlAttributeConfiguration")
    attributes = attributes_for_access.checked(configuration)
    with transaction.atomic():
        found = _configuration_of(instance, lock=True)
        found.attributes, found.updated_at = attributes, timezone.now()
        found.save(update_fields=["attributes", "updated_at"])
    return found


@iam_operation("DeleteInstanceAccessControlAttributeConfiguration", event_source=EVENT_SOURCE)
def delete_configuration(*, caller: Caller, instance_arn: str) -> None:
    instance = instance_for(caller, instance_arn, "DeleteInstanceAccessControlAttributeConfiguration")
    if not AccessControlAttributeConfiguration.objects.filter(instance=instance).delete()[0]:
        raise ResourceNotFoundException(NONE_YET)


def session_tags_for(user, instance_id: str) -> dict[str, str]:
    """The session tags a role session issued to the person carries (one query)."""
    attributes = AccessControlAttributeConfiguration.objects.filter(
        instance_id=instance_id, status=AccessControlAttributeConfiguration.Status.ENABLED).values_list(
        "attributes", flat=True).first()
    return attributes_for_access.session_tags_of(user, attributes) if attributes else {}
