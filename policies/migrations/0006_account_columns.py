# The account of each customer managed policy and registered service: added empty, filled by
# accounts.0002_adopt_single_account_directory, then required (services) by 0007_accounts_required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('policies', '0005_policy_tags'),
    ]

    operations = [
        migrations.AddField(
            model_name='managedpolicy',
            name='account',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='managed_policies', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='servicedefinition',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='service_definitions', to='accounts.account'),
        ),
    ]
