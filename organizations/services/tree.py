"""The organization as a whole, for people reading it: the tree of root, OUs and accounts with the guardrails
attached at each node, and the guardrails in force on one account with the level each comes from. Reads only, in a
few queries whatever the size of the tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationPolicy, PolicyAttachment
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from organizations import identifiers
from organizations.access import EVENT_SOURCE, organization_for
from organizations.errors import AccountNotFoundException
from policies.authorization import authorize_caller


@dataclass
class Node:
    """The root, an OU or an account, with the SCPs and RCPs attached to it (by policy type)."""

    kind: str  # ROOT, ORGANIZATIONAL_UNIT or ACCOUNT
    id: str
    name: str
    depth: int = 0
    policies: dict[str, list[OrganizationPolicy]] = field(default_factory=dict)
    units: list[Node] = field(default_factory=list)
    accounts: list[Node] = field(default_factory=list)
    account: Account | None = None

    @property
    def service_control_policies(self) -> list[OrganizationPolicy]:
        return self.policies.get("SERVICE_CONTROL_POLICY", [])

    @property
    def resource_control_policies(self) -> list[OrganizationPolicy]:
        return self.policies.get("RESOURCE_CONTROL_POLICY", [])


@dataclass
class Tree:
    organization: Organization
    root: Node
    units: list[Node]  # every OU, in tree order: the destinations a move or a new OU may take
    accounts: list[Node]


def _attached(target_ids: list[str]) -> dict[str, dict[str, list[OrganizationPolicy]]]:
    found: dict[str, dict[str, list[OrganizationPolicy]]] = {}
    for attachment in (PolicyAttachment.objects.filter(target_id__in=target_ids).select_related("policy")
                       .order_by("policy__name")):
        found.setdefault(attachment.target_id, {}).setdefault(attachment.policy_type, []).append(attachment.policy)
    return found


@iam_operation("ListOrganizationalUnitsForParent", event_source=EVENT_SOURCE)
def organization_tree(*, caller: Caller) -> Tree:
    """What ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent and ListPoliciesForTarget would
    answer for every node, each authorized as itself."""
    organization = organization_for(caller, "ListOrganizationalUnitsForParent")
    for action in ("ListRoots", "ListAccountsForParent", "ListPoliciesForTarget"):
        authorize_caller(caller, f"organizations:{action}", "*")
    units = list(OrganizationalUnit.objects.filter(organization=organization).order_by("depth", "name", "id"))
    accounts = list(Account.objects.filter(organization=organization).order_by("name", "id"))
    attached = _attached([organization.root_id, *(unit.id for unit in units), *(account.id for account in accounts)])
    root = Node("ROOT", organization.root_id, "Root", policies=attached.get(organization.root_id, {}))
    nodes = {None: root}
    for unit in units:  # parents come first: ordered by depth
        node = Node("ORGANIZATIONAL_UNIT", unit.id, unit.name, unit.depth, attached.get(unit.id, {}))
        nodes[unit.id] = node
        nodes[unit.parent_id].units.append(node)
    account_nodes = []
    for account in accounts:
        node = Node("ACCOUNT", account.id, account.name, policies=attached.get(account.id, {}), account=account)
        account_nodes.append(node)
        nodes[account.parent_unit_id].accounts.append(node)
    ordered: list[Node] = []

    def walk(node: Node) -> None:
        for child in node.units:
            ordered.append(child)
            walk(child)

    walk(root)
    return Tree(organization, root, ordered, account_nodes)


@dataclass(frozen=True)
class Level:
    """One level of an account's path (the root, each OU down, the account) and what is attached there."""

    kind: str
    id: str
    name: str
    policies: dict[str, list[OrganizationPolicy]]


@dataclass(frozen=True)
class Standing:
    organization: Organization
    account: Account
    levels: list[Level]  # from the root down to the account itself

    @property
    def exempt(self) -> bool:
        """The management account: SCPs do not restrict it, as AWS's do not."""
        return self.account.pk == self.organization.management_account_id

    def audit_elements(self) -> dict:
        return {"accountId": self.account.pk}


@iam_operation("DescribeAccount", event_source=EVENT_SOURCE)
def account_standing(*, caller: Caller, account_id: str) -> Standing:
    """A member account, its path from the root and the SCPs and RCPs attached at each level of it: the guardrails
    in force on the account, and where each comes from."""
    organization = organization_for(caller, "DescribeAccount", lambda org: identifiers.account_arn(org, account_id))
    for action in ("ListParents", "ListPoliciesForTarget"):
        authorize_caller(caller, f"organizations:{action}", "*")
    account = Account.objects.filter(organization=organization, pk=account_id).first()
    if account is None:
        raise AccountNotFoundException()
    return standing_of(organization, account)


def standing_of(organization: Organization, account: Account) -> Standing:
    """The account's levels from the root down and what is attached at each; the caller has been authorized."""
    path: list[OrganizationalUnit] = []
    unit = account.parent_unit
    while unit is not None:
        path.insert(0, unit)
        unit = unit.parent
    attached = _attached([organization.root_id, *(unit.id for unit in path), account.pk])
    levels = [Level("ROOT", organization.root_id, "Root", attached.get(organization.root_id, {})),
              *(Level("ORGANIZATIONAL_UNIT", unit.id, unit.name, attached.get(unit.id, {})) for unit in path),
              Level("ACCOUNT", account.pk, account.name, attached.get(account.pk, {}))]
    return Standing(organization, account, levels)
