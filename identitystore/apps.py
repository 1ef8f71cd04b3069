from django.apps import AppConfig


class IdentityStoreConfig(AppConfig):
    name = "identitystore"
    verbose_name = "Identity store: workforce users, groups and memberships, and the SCIM tokens that provision them"
