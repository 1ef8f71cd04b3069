"""The organization's guardrails for an account, compiled: its SCP path (for its principals) and RCP path (for its
resources), with the organization keys that go into every request context.

Loaded in the same query as a principal's policy set and cached with it (policies.loading), so a principal's
decision costs no query more for the organization; another account's (a resource's) are cached under the policy generation too.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.guardrails import Placement, placement, placement_from_rows
from policies import generation as generations
from policies.language import GuardrailLevel, compile_policy

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"


@dataclass(frozen=True)
class Guardrails:
    """An account of the organization: the SCPs that restrict its principals (none for the management account),
    the RCPs that restrict its resources (none for the management account's), and its place in the organization."""

    account_id: str
    organization_id: str
    org_path: str
    scps: tuple[GuardrailLevel, ...] = ()
    rcps: tuple[GuardrailLevel, ...] = ()


def _levels(found: Placement, policy_type: str, prefix: str) -> tuple[GuardrailLevel, ...]:
    return tuple(GuardrailLevel(kind, target, tuple(compile_policy(policy.content, f"{prefix}:{policy.policy_id}",
                                                                   str(policy.version))
                                                    for policy in policies))
                 for kind, target, policies in found.levels(policy_type))


def load_guardrails(account_id: str, rows=None) -> Guardrails | None:
    """The account's guardrails, from the rows a policy-set query read with accounts.guardrails.guardrail_rows()
    (or by one query of their own), or None when it belongs to no organization."""
    found = placement(account_id) if rows is None else placement_from_rows(account_id, rows)
    if found is None:
        return None
    exempt = found.is_management  # AWS: SCPs and RCPs do not restrict the management account
    return Guardrails(account_id=account_id, organization_id=found.organization_id, org_path=found.org_path,
                      scps=() if exempt else _levels(found, SCP, "scp"),
                      rcps=() if exempt else _levels(found, RCP, "rcp"))


def account_guardrails(account_id: str) -> Guardrails | None:
    """Another account's guardrails (a resource's), cached in the process under the current policy generation."""
    generation = generations.current_generation()
    key = ("guardrails", account_id)
    hit = generations.cached(key, generation)
    if hit is not None:
        return hit if isinstance(hit, Guardrails) else None
    loaded = load_guardrails(account_id)
    generations.remember(key, generation, loaded if loaded is not None else False)
    return loaded
