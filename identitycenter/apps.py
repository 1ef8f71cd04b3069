from django.apps import AppConfig


class IdentityCenterConfig(AppConfig):
    name = "identitycenter"
    verbose_name = "Identity Center: the instance, permission sets, account assignments and the roles they provision"

    def ready(self) -> None:
        # Deprovisioning a person ends their portal sessions and role sessions: connect the receiver.
        from identitycenter.services import portal  # noqa: F401
