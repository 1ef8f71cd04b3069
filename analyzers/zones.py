"""An external access analyzer's zone of trust: its account, or every account of its organization."""

from __future__ import annotations

from dataclasses import dataclass

ACCOUNT, ORGANIZATION = "ACCOUNT", "ORGANIZATION"


@dataclass(frozen=True)
class ZoneOfTrust:
    """The accounts whose principals an analyzer trusts (IAM User Guide, "IAM Access Analyzer findings": any
    principal in the analyzer's account, or in its organization, is inside; sharing with them is no finding).

    ``organization_id`` is the organization of an ORGANIZATION zone: a condition pinning aws:PrincipalOrgID to
    it keeps a grant inside the zone. An ACCOUNT zone has none, since the organization's other accounts are
    outside it. ``home_organization`` is the organization the zone's accounts belong to (either kind) with its
    accounts: only their principals present its id as aws:PrincipalOrgID."""

    kind: str
    account_ids: frozenset[str]
    organization_id: str | None = None
    home_organization: tuple[str, frozenset[str]] | None = None

    def __post_init__(self) -> None:
        if self.kind not in (ACCOUNT, ORGANIZATION):
            raise ValueError(f"a zone of trust is {ACCOUNT} or {ORGANIZATION}, not {self.kind!r}")
        if not isinstance(self.account_ids, frozenset):
            object.__setattr__(self, "account_ids", frozenset(self.account_ids))
        if self.home_organization is None and self.organization_id is not None:
            object.__setattr__(self, "home_organization", (self.organization_id, self.account_ids))

    def trusts_account(self, account_id: str | None) -> bool:
        return account_id is not None and account_id in self.account_ids

    def trusts_org_path(self, org_path: str) -> bool:
        """aws:PrincipalOrgPaths values read "o-id/r-root/ou-…/": inside when they start with the zone's org."""
        return self.organization_id is not None and org_path.lower().startswith(f"{self.organization_id.lower()}/")


def zone_of_account(account_id: str) -> ZoneOfTrust:
    return ZoneOfTrust(ACCOUNT, frozenset({account_id}))


def load_zone(kind: str, account_id: str) -> ZoneOfTrust:
    """The zone of an analyzer created in ``account_id``: that account, or the accounts of its organization
    (an account outside any organization has only itself to trust)."""
    from accounts.models import Account

    organization_id = Account.objects.filter(id=account_id).values_list("organization_id", flat=True).first()
    if organization_id is None:
        return ZoneOfTrust(kind if kind == ORGANIZATION else ACCOUNT, frozenset({account_id}))
    members = frozenset(Account.objects.filter(organization_id=organization_id).values_list("id", flat=True))
    if kind != ORGANIZATION:
        return ZoneOfTrust(ACCOUNT, frozenset({account_id}), home_organization=(organization_id, members))
    return ZoneOfTrust(ORGANIZATION, members, organization_id)
