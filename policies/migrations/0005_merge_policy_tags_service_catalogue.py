from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0003_policy_tags'),
        ('policies', '0004_service_catalogue'),
    ]

    operations = []
