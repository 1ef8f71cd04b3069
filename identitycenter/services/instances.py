"""ListInstances and DescribeInstance: the one instance of the management account."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.access import EVENT_SOURCE, instance_for, instance_of
from identitycenter.models import Instance
from policies.authorization import authorize_caller


@iam_operation("ListInstances", event_source=EVENT_SOURCE)
def list_instances(*, caller: Caller) -> list[Instance]:
    authorize_caller(caller, "sso:ListInstances", "*")
    instance = instance_of(caller.account_id)
    return [instance] if instance is not None else []


@iam_operation("DescribeInstance", event_source=EVENT_SOURCE)
def describe_instance(*, caller: Caller, instance_arn: str) -> Instance:
    return instance_for(caller, instance_arn, "DescribeInstance")
