"""The organization as a member account sees it: what DescribeOrganization tells every member (the organization's
id and its management account) and the account's own place in it (its path from the root and the guardrails at
each level), and nothing else of the tree."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Account, Organization
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.services.tree import Standing, standing_of


@dataclass(frozen=True)
class Membership:
    organization: Organization
    management_account: Account
    standing: Standing  # the caller's own account, from the root down

    @property
    def path(self):
        """The levels above the account: the root and each OU down to its parent."""
        return self.standing.levels[:-1]


@iam_operation("DescribeOrganization", event_source=EVENT_SOURCE)
def describe_membership(*, caller: Caller) -> Membership:
    """Authorized as DescribeOrganization, the one Organizations read AWS allows every member account: the caller's
    own path and guardrails are about its own account, so they need no management-only permission."""
    organization = organization_for(caller, "DescribeOrganization", identifiers.organization_arn,
                                    management_only=False)
    accounts = {account.pk: account for account in Account.objects.filter(
        pk__in=[organization.management_account_id, caller.account_id]).select_related("parent_unit")}
    return Membership(organization, accounts[organization.management_account_id],
                      standing_of(organization, accounts[caller.account_id]))
