"""AWS Organizations (2016-11-28) through the JSON door: each operation calls organizations.services."""

from __future__ import annotations

from iam_console.awsjson.registry import operation
from organizations import services


@operation("organizations", "DescribeOrganization")
def describe_organization(caller, params: dict) -> dict:
    return {"Organization": services.describe_organization(caller=caller)}
