from django.apps import AppConfig


class StsConfig(AppConfig):
    name = "sts"
    verbose_name = "STS: sessions and request authentication"
