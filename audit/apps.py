from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit.services import record_event
        from iam_console import operations

        operations.install_event_recorder(record_event)
