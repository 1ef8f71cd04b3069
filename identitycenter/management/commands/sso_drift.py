"""Print the drift report: where a provisioned reserved role differs from its permission set, as JSON lines."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from identitycenter.models import PermissionSet
from identitycenter.services.provisioning import drift_report


class Command(BaseCommand):
    help = ("For every permission set (or those named with --name), each account it is provisioned to: whether the "
            "role was made from the set's latest revision, and which of managed policies, inline policy, "
            "permissions boundary and session duration differ. Exits 1 when any role is out of step.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", action="append", default=[], help="A permission set's name (repeatable).")

    def handle(self, *args, **options) -> None:
        sets = PermissionSet.objects.order_by("name_key")
        if options["name"]:
            sets = sets.filter(name_key__in=[name.lower() for name in options["name"]])
        out_of_step = False
        for permission_set in sets:
            for drift in drift_report(permission_set):
                out_of_step = out_of_step or drift.revision_behind or bool(drift.differences)
                self.stdout.write(json.dumps({
                    "permissionSet": permission_set.name, "permissionSetArn": permission_set.arn,
                    "accountId": drift.account_id, "roleName": drift.role_name,
                    "latestProvisioned": not drift.revision_behind, "differences": list(drift.differences)}))
        if out_of_step:
            raise SystemExit(1)
