from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory: users, groups, access keys, password policy"

    def ready(self) -> None:
        from directory.mfa import hooks

        hooks.register()
