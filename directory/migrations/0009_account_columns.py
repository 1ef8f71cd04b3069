# The account every entity and per-account setting belongs to: added empty, filled by
# accounts.0002_adopt_single_account_directory, then required by 0010_accounts_required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('directory', '0008_mfa_device_tags'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='group',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='groups', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='role',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='roles', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='passwordpolicy',
            name='account',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='password_policy', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='mfarequirement',
            name='account',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='mfa_requirement', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='credentialreport',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credential_reports', to='accounts.account'),
        ),
    ]
