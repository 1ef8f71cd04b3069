"""Upgrade in place: a directory made before accounts existed becomes the management account.

Everything it holds (users and their root, groups, roles, customer managed policies, identity providers,
registered services, the password policy, the MFA requirement, credential reports, audit events) is given that
account; ids, names, keys, secrets and sessions are untouched, so every ARN stays what it was. The account's id
is today's IAM_ACCOUNT_ID, read here once; its alias moves from the old AccountAlias row. A fresh database has
nothing to adopt: its first account is created when it bootstraps (accounts.bootstrap).
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Min

OWNED = [
    ("directory", "User"), ("directory", "Group"), ("directory", "Role"), ("directory", "PasswordPolicy"),
    ("directory", "MFARequirement"), ("directory", "CredentialReport"), ("policies", "ServiceDefinition"),
    ("sts", "OpenIDConnectProvider"), ("sts", "SAMLProvider"),
]


def _holdings(apps):
    owned = [apps.get_model(app, name).objects.filter(account__isnull=True) for app, name in OWNED]
    customer_policies = apps.get_model("policies", "ManagedPolicy").objects.filter(is_system=False,
                                                                                   account__isnull=True)
    return [*owned, customer_policies]


def adopt(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    AccountAlias = apps.get_model("directory", "AccountAlias")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    holdings = _holdings(apps)
    events = AuditEvent.objects.filter(account_id="")
    aliases = AccountAlias.objects.all()
    if not (any(rows.exists() for rows in holdings) or events.exists() or aliases.exists()):
        return  # a fresh database: nothing to adopt
    account = Account.objects.filter(is_management=True).first()
    if account is None:
        account_id = settings.IAM_ACCOUNT_ID
        User = apps.get_model("directory", "User")
        since = User.objects.aggregate(first=Min("create_date"))["first"]
        alias = aliases.values_list("alias", flat=True).first()
        account = Account.objects.create(
            id=account_id, name=getattr(settings, "IAM_ACCOUNT_NAME", None) or "Management account",
            email=getattr(settings, "IAM_ACCOUNT_EMAIL", None) or f"{account_id}@accounts.invalid",
            alias=alias, is_management=True,
            **({"create_date": since, "joined_timestamp": since} if since is not None else {}))
    for rows in holdings:
        rows.update(account_id=account.pk)
    events.update(account_id=account.pk)


def restore_alias(apps, schema_editor):
    """Going back: the management account's alias returns to the AccountAlias row it came from."""
    Account = apps.get_model("accounts", "Account")
    AccountAlias = apps.get_model("directory", "AccountAlias")
    account = Account.objects.filter(is_management=True).first()
    if account is not None and account.alias and not AccountAlias.objects.exists():
        AccountAlias.objects.create(alias=account.alias)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('audit', '0002_account_id'),
        ('directory', '0009_account_columns'),
        ('policies', '0006_account_columns'),
        ('sts', '0005_account_columns'),
    ]

    operations = [
        migrations.RunPython(adopt, restore_alias),
    ]
