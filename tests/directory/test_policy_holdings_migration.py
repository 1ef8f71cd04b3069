"""The attachments, inline policies and boundaries moved from the policies app to the directory app: rows
written before the move are read back, unchanged, by the directory's models after it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("policies", "0002_role_policies"), ("directory", "0005_user_created_index")]
AFTER = [("policies", "0003_policy_holdings"), ("directory", "0006_policy_holdings")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_under_the_policies_app_survive_the_move_to_directory():
    old = _migrate(BEFORE)
    try:
        # Before the move, the policies app owns these models.
        assert old.get_model("policies", "UserPolicyAttachment")._meta.db_table == "policies_userpolicyattachment"
        with pytest.raises(LookupError):
            old.get_model("directory", "UserPolicyAttachment")

        User, Group, Role = (old.get_model("directory", name) for name in ("User", "Group", "Role"))
        ManagedPolicy = old.get_model("policies", "ManagedPolicy")
        user = User.objects.create(user_name="alice", user_id="AIDAMIGRATIONTEST001", password="!")
        group = Group.objects.create(group_name="admins", group_id="AGPAMIGRATIONTEST001")
        role = Role.objects.create(role_name="deployer", role_id="AROAMIGRATIONTEST001",
                                   assume_role_policy_document="{}")
        policy = ManagedPolicy.objects.create(policy_name="Moved", policy_id="ANPAMIGRATIONTEST001")
        boundary = ManagedPolicy.objects.create(policy_name="Cap", policy_id="ANPAMIGRATIONTEST002")
        document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}'
        holdings = {
            "UserPolicyAttachment": {"user": user, "policy": policy},
            "GroupPolicyAttachment": {"group": group, "policy": policy},
            "RolePolicyAttachment": {"role": role, "policy": policy},
            "UserInlinePolicy": {"user": user, "policy_name": "UserInline", "document": document},
            "GroupInlinePolicy": {"group": group, "policy_name": "GroupInline", "document": document},
            "RoleInlinePolicy": {"role": role, "policy_name": "RoleInline", "document": document},
            "UserPermissionsBoundary": {"user": user, "policy": boundary},
            "RolePermissionsBoundary": {"role": role, "policy": boundary},
        }
        before = {name: old.get_model("policies", name).objects.create(**fields).pk
                  for name, fields in holdings.items()}

        new = _migrate(AFTER)
        with pytest.raises(LookupError):
            new.get_model("policies", "UserPolicyAttachment")
        for name, pk in before.items():
            row = new.get_model("directory", name).objects.get(pk=pk)
            for field, value in holdings[name].items():
                got = getattr(row, f"{field}_id") if hasattr(value, "pk") else getattr(row, field)
                assert got == (value.pk if hasattr(value, "pk") else value), (name, field)

        # And, once every later migration has run, the application's own models see the same rows.
        _migrate(_leaf_nodes())
        from directory.models import Role as CurrentRole
        from directory.models import User as CurrentUser

        alice = CurrentUser.objects.get(user_name="alice")
        assert [a.policy.policy_name for a in alice.policy_attachments.all()] == ["Moved"]
        assert [p.policy_name for p in alice.inline_policies.all()] == ["UserInline"]
        assert alice.permissions_boundary.policy.policy_name == "Cap"
        deployer = CurrentRole.objects.get(role_name="deployer")
        assert deployer.permissions_boundary.policy.policy_name == "Cap"
        assert [p.policy_name for p in deployer.inline_policies.all()] == ["RoleInline"]
    finally:
        _migrate(_leaf_nodes())


def _leaf_nodes():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
