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
        from iam_console.operations import install_attempt_check
        from policies.authorization import attempt_refusal, authorize_caller

        # Code below this app (the audit trail's readers) authorizes through the frame's port.
        access.install_authorizer(authorize_caller)
        # The operation frame refuses a caller who may not act before its input is judged.
        install_attempt_check(attempt_refusal)
        post_migrate.connect(_sync_system_policies, sender=self)
