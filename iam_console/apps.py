from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class IamConsoleConfig(AppConfig):
    name = "iam_console"
    verbose_name = "IAM console"

    def ready(self) -> None:
        checks.register(_credential_key_check, checks.Tags.database)
        post_migrate.connect(_record_credential_key, sender=self)


def _credential_key_check(app_configs=None, databases=None, **kwargs) -> list[checks.CheckMessage]:
    """A database-tagged check: runs in `migrate` and `check --database default`."""
    from django.db import DatabaseError

    from iam_console import credential_key

    if not databases or "default" not in databases:
        return []
    try:
        found = credential_key.problem()
    except DatabaseError:
        return []  # before the first migrate the table does not exist: migrate records the value
    if found:
        return [checks.Error(found, id="iam_console.E001",
                             hint="Set IAM_CREDENTIAL_KEY to the key backed up with this database.")]
    return []


def _record_credential_key(using: str = "default", **kwargs) -> None:
    from iam_console import credential_key

    if using == "default":
        credential_key.record_if_missing()
