from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_system_policies(sender, **kwargs) -> None:
    from policies.system_policies import sync_system_policies

    sync_system_policies()


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = "Policies and authorization"

    def ready(self) -> None:
        from iam_console import access
        from policies.authorization import authorize_caller

        # Code below this app (the audit trail's readers) authorizes through the frame's port.
        access.install_authorizer(authorize_caller)
        post_migrate.connect(_sync_system_policies, sender=self)
