from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0006_account_alias'),
        ('directory', '0006_policy_holdings'),
    ]

    operations = []
