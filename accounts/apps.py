from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_aws_managed_policies(sender, **kwargs) -> None:
    from accounts.tree import sync_aws_managed_policies

    sync_aws_managed_policies()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts: the accounts of the directory and the organization that holds them"

    def ready(self) -> None:
        post_migrate.connect(_sync_aws_managed_policies, sender=self)
