"""Console read of managed policies: search by name, scope and usage, sorted by name, in keyset pages."""

from __future__ import annotations

import base64
import binascii
import json

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from directory.models import GroupPolicyAttachment, RolePolicyAttachment, UserPolicyAttachment
from directory.services.user_search import SearchPage
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.pagination import clean_max_items
from policies.authorization import Caller, authorize_caller, caller_may
from policies.models import ManagedPolicy
from policies.services.managed import visible_policies

SCOPES = ("All", "AWS", "Local")
USAGES = ("any", "attached", "unattached")


def _count_of(model, holder: str, account_id: str) -> Coalesce:
    """Attachments of the policy held in the account (an AWS-managed policy is shared by every account)."""
    rows = model.objects.filter(policy=OuterRef("pk"), **{f"{holder}__account_id": account_id}).order_by() \
        .values("policy").annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _decode(marker: str | None) -> tuple[str, str] | None:
    if not marker:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode((marker + "=" * (-len(marker) % 4)).encode()))
        if not (isinstance(values, list) and len(values) == 2 and all(isinstance(v, str) for v in values)):
            raise ValueError
        return values[0], values[1]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError("marker is not valid: pass back the marker of the previous page unchanged") from None


def _encode(policy: ManagedPolicy) -> str:
    raw = json.dumps([policy.policy_name_key, policy.policy_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@iam_operation("ListPolicies")
def search_policies(*, caller: Caller, name_contains: str = "", scope: str = "All", usage: str = "any",
                    marker: str | None = None, max_items: int = 50) -> SearchPage:
    """Policies whose name contains a string, with attachment counts, in one query per page."""
    if scope not in SCOPES:
        raise ValidationError("scope must be All, AWS or Local")
    if usage not in USAGES:
        raise ValidationError("usage must be any, attached or unattached")
    authorize_caller(caller, "iam:ListPolicies", "*")
    limit = clean_max_items(max_items)
    account = caller.account_id
    queryset = visible_policies(account).annotate(
        attachment_count=_count_of(UserPolicyAttachment, "user", account)
        + _count_of(GroupPolicyAttachment, "group", account) + _count_of(RolePolicyAttachment, "role", account))
    if name_contains:
        queryset = queryset.filter(policy_name_key__contains=name_contains.lower())
    if scope != "All":
        queryset = queryset.filter(is_system=(scope == "AWS"))
    if usage == "attached":
        queryset = queryset.filter(attachment_count__gt=0)
    elif usage == "unattached":
        queryset = queryset.filter(attachment_count=0)
    after = _decode(marker)
    if after is not None:
        queryset = queryset.filter(Q(policy_name_key__gt=after[0])
                                   | Q(policy_name_key=after[0], policy_id__gt=after[1]))
    rows = list(queryset.order_by("policy_name_key", "policy_id")[: limit + 1])
    next_marker = _encode(rows[limit - 1]) if len(rows) > limit else None
    return SearchPage(items=rows[:limit], next_marker=next_marker)


def boundary_choices(caller: Caller) -> list[tuple[str, str]]:
    """Managed policies to offer as a permissions boundary, as (ARN, name); none for a caller who may not list them.

    An optional control: asked first, so that such a caller leaves no refused read in the audit trail.
    """
    if not caller_may(caller, "iam:ListPolicies", "*"):
        return []
    return [(policy.arn, policy.policy_name) for policy in search_policies(caller=caller, max_items=1000).items]
