# The account of each identity provider: added empty, filled by accounts.0002_adopt_single_account_directory,
# then required by 0006_accounts_required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('sts', '0004_federation'),
    ]

    operations = [
        migrations.AddField(
            model_name='openidconnectprovider',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='oidc_providers', to='accounts.account'),
        ),
        migrations.AddField(
            model_name='samlprovider',
            name='account',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='saml_providers', to='accounts.account'),
        ),
    ]
