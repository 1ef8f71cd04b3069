"""The managed policies shipped with the product (policies/system/*.json), kept in sync after every migrate."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from iam_console import identifiers
from policies.models import ManagedPolicy, PolicyVersion

SYSTEM_POLICY_DIR = Path(__file__).resolve().parent / "system"


def shipped_policies() -> dict[str, tuple[str, str]]:
    """{name: (description, document text)} from the JSON files beside this module."""
    shipped = {}
    for path in sorted(SYSTEM_POLICY_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        shipped[path.stem] = (data["Description"], json.dumps(data["Document"], indent=2))
    return shipped


@transaction.atomic
def sync_system_policies() -> int:
    """Create missing system policies and publish a new default version when a shipped document changed."""
    changed = 0
    for name, (description, document) in shipped_policies().items():
        policy = ManagedPolicy.objects.select_for_update().filter(is_system=True, policy_name_key=name.lower()).first()
        if policy is None:
            policy = ManagedPolicy.objects.create(policy_name=name, is_system=True, description=description,
                                                  policy_id=identifiers.new_unique_id(identifiers.POLICY_ID_PREFIX))
            PolicyVersion.objects.create(policy=policy, version_id="v1", document=document, is_default_version=True)
            changed += 1
            continue
        current = policy.versions.filter(is_default_version=True).first()
        if current is not None and current.document == document and policy.description == description:
            continue
        policy.last_version_number += 1
        version_id = f"v{policy.last_version_number}"
        policy.versions.update(is_default_version=False)
        PolicyVersion.objects.create(policy=policy, version_id=version_id, document=document, is_default_version=True)
        policy.default_version_id, policy.description, policy.update_date = version_id, description, timezone.now()
        policy.save()
        # Keep at most five versions, like any managed policy.
        stale = policy.versions.filter(is_default_version=False).order_by("-create_date", "-id")[4:]
        PolicyVersion.objects.filter(pk__in=[v.pk for v in stale]).delete()
        changed += 1
    return changed

# Attached by the console to users who must choose a new password at next sign-in, as AWS's console does.
CHANGE_PASSWORD_POLICY_ARN = "arn:aws:iam::aws:policy/IAMUserChangePassword"
