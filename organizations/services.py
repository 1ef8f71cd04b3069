"""The organization's operations: authorize -> validate -> write -> audit, as every service of the directory."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations.errors import AWSOrganizationsNotInUseException
from policies.authorization import authorize_caller

EVENT_SOURCE = "organizations.amazonaws.com"


@iam_operation("DescribeOrganization", event_source=EVENT_SOURCE)
def describe_organization(*, caller: Caller) -> None:
    authorize_caller(caller, "organizations:DescribeOrganization", "*")
    raise AWSOrganizationsNotInUseException()
