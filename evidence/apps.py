from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence of access (last accessed)"

    def ready(self) -> None:
        from evidence.recording import record_decision
        from evidence.usage import allowed_uses
        from iam_console.decision_record import install_decision_recorder, install_usage_reader

        install_decision_recorder(record_decision)
        install_usage_reader(allowed_uses)
