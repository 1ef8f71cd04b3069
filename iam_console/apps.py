from django.apps import AppConfig


class IamConsoleConfig(AppConfig):
    name = "iam_console"
    verbose_name = "IAM console"
