from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0003_policy_holdings'),
        ('policies', '0003_policy_tags'),
    ]

    operations = []
