"""Where an account sits in the organization, and the guardrail documents attached along its path, in one query.

The policies app compiles what this returns into the engine's guardrail levels (policies.guardrail_loading); this
module only reads rows, so that every app below the doors may ask it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from django.db import connection

from accounts.models import Account, Organization, OrganizationalUnit, OrganizationPolicy, PolicyAttachment


@dataclass(frozen=True)
class AttachedPolicy:
    policy_id: str
    version: int
    content: str


@dataclass(frozen=True)
class Placement:
    """An account of the organization: its root, the OUs from the root down, and what is attached at each level."""

    account_id: str
    organization_id: str
    root_id: str
    unit_ids: tuple[str, ...]
    is_management: bool
    enabled_policy_types: tuple[str, ...]
    # (policy type, target id) -> the policies of that type attached to that target
    attached: dict[tuple[str, str], tuple[AttachedPolicy, ...]] = field(default_factory=dict)

    @property
    def org_path(self) -> str:
        """aws:PrincipalOrgPaths / aws:ResourceOrgPaths: `o-…/r-…/ou-…/…/`, down to the account's parent."""
        return "/".join((self.organization_id, self.root_id, *self.unit_ids)) + "/"

    def levels(self, policy_type: str) -> list[tuple[str, str, tuple[AttachedPolicy, ...]]]:
        """(kind, id, policies) from the root down to the account, for an enabled type; [] when not enabled."""
        if policy_type not in self.enabled_policy_types:
            return []
        path = [("root", self.root_id), *(("ou", unit) for unit in self.unit_ids), ("account", self.account_id)]
        return [(kind, target, self.attached.get((policy_type, target), ())) for kind, target in path]


def _tables() -> dict[str, str]:
    return {model.__name__: model._meta.db_table
            for model in (Account, Organization, OrganizationalUnit, OrganizationPolicy, PolicyAttachment)}


def guardrail_cte() -> str:
    """The OUs above the account bound to %(account)s (a recursive CTE named `chain`, to put after WITH RECURSIVE)."""
    t = _tables()
    return f"""chain(id, parent_id, depth) AS (
            SELECT u.id, u.parent_id, u.depth FROM {t['OrganizationalUnit']} u
              JOIN {t['Account']} a ON u.id = a.parent_unit_id WHERE a.id = %(account)s
            UNION ALL
            SELECT u.id, u.parent_id, u.depth FROM {t['OrganizationalUnit']} u JOIN chain c ON u.id = c.parent_id)"""  # noqa: S608 - table names only


def guardrail_rows() -> str:
    """Rows of 8 columns, to join a policy-set query by UNION ALL: one `placement` row (organization, root,
    enabled types, the OUs from the root down, the management account) and a `guardrail` row per policy attached
    along the path (target, version, content, policy id, type). None at all for an account outside an
    organization."""
    t = _tables()
    return f"""
        SELECT 'placement', o.id, o.root_id, o.enabled_policy_types::text,
               (SELECT coalesce(string_agg(id, ',' ORDER BY depth), '') FROM chain), o.management_account_id,
               NULL, NULL
          FROM {t['Account']} a JOIN {t['Organization']} o ON o.id = a.organization_id WHERE a.id = %(account)s
        UNION ALL
        SELECT 'guardrail', g.target_id, g_p.version::text, g_p.content, g_p.id, g.policy_type, NULL, NULL
          FROM {t['PolicyAttachment']} g JOIN {t['OrganizationPolicy']} g_p ON g_p.id = g.policy_id
          JOIN {t['Account']} g_a ON g_a.id = %(account)s
          JOIN {t['Organization']} g_o ON g_o.id = g_a.organization_id
         WHERE g.target_id = g_o.root_id OR g.target_id = g_a.id OR g.target_id IN (SELECT id FROM chain)
    """  # noqa: S608 - only table names from model metadata are interpolated; values are bound parameters


def placement_from_rows(account_id: str, rows) -> Placement | None:
    """The Placement the `placement` and `guardrail` rows of guardrail_rows() describe (other rows ignored)."""
    found = None
    attached: dict[tuple[str, str], list[AttachedPolicy]] = {}
    for use, key, version, document, name, path, _account, _group in rows:
        if use == "placement":
            found = (key, version, document, name, path)
        elif use == "guardrail":
            attached.setdefault((path, key), []).append(AttachedPolicy(name, int(version), document))
    if found is None:
        return None
    organization_id, root_id, enabled, chain, management_id = found
    return Placement(account_id=account_id, organization_id=organization_id, root_id=root_id,
                     unit_ids=tuple(unit for unit in chain.split(",") if unit), is_management=management_id == account_id,
                     enabled_policy_types=tuple(json.loads(enabled)),
                     attached={key: tuple(sorted(value, key=lambda p: p.policy_id)) for key, value in attached.items()})


_SQL: dict[str, str] = {}


def placement(account_id: str) -> Placement | None:
    """The account's place in the organization, or None when it belongs to none (one query)."""
    if "placement" not in _SQL:
        _SQL["placement"] = f"WITH RECURSIVE {guardrail_cte()} {guardrail_rows()}"
    with connection.cursor() as cursor:
        cursor.execute(_SQL["placement"], {"account": account_id})
        return placement_from_rows(account_id, cursor.fetchall())
