from django.apps import AppConfig


class StsConfig(AppConfig):
    name = "sts"
    verbose_name = "STS: sessions and request authentication"

    def ready(self) -> None:
        from directory.mfa.devices import verify_for_session
        from sts import mfa

        # AssumeRole's MFA check asks the directory's device store (sessions depend on identities, not back).
        mfa.register_verifier(verify_for_session)
