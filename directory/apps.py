from django.apps import AppConfig

from iam_console import credential_key


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Directory: users, groups, roles, their credentials and policies"

    def ready(self) -> None:
        from directory.dependents import (
            group_attached_policies,
            group_inline_policies,
            user_attached_policies,
            user_inline_policies,
        )
        from directory.mfa import hooks, sealing
        from directory.services import groups, users

        # DeleteUser / DeleteGroup refuse while policies remain, as in AWS.
        users.DEPENDENT_FINDERS["attached_policies"] = user_attached_policies
        users.DEPENDENT_FINDERS["inline_policies"] = user_inline_policies
        groups.GROUP_DEPENDENT_FINDERS["attached_policies"] = group_attached_policies
        groups.GROUP_DEPENDENT_FINDERS["inline_policies"] = group_inline_policies
        hooks.register()
        # Sealed seeds tell whether a credential key is this database's before its check value is recorded.
        credential_key.register_probe(sealing.key_opens_a_sealed_seed)
