from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_system_policies(sender, **kwargs) -> None:
    from policies.system_policies import sync_system_policies

    sync_system_policies()


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies and authorization"

    def ready(self) -> None:
        from directory.services import groups, users
        from policies.dependents import (
            group_attached_policies,
            group_inline_policies,
            user_attached_policies,
            user_inline_policies,
        )

        # DeleteUser / DeleteGroup refuse while policies remain, as in AWS.
        users.DEPENDENT_FINDERS["attached_policies"] = user_attached_policies
        users.DEPENDENT_FINDERS["inline_policies"] = user_inline_policies
        groups.GROUP_DEPENDENT_FINDERS["attached_policies"] = group_attached_policies
        groups.GROUP_DEPENDENT_FINDERS["inline_policies"] = group_inline_policies
        post_migrate.connect(_sync_system_policies, sender=self)
