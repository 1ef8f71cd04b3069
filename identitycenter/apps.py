from django.apps import AppConfig


class IdentityCenterConfig(AppConfig):
    name = "identitycenter"
    verbose_name = "Identity Center: the instance, permission sets, account assignments and the roles they provision"
