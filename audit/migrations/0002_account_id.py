# Each event's account (a plain column: the audit app imports no domain app); existing events are given the
# directory's one account by accounts.0002_adopt_single_account_directory.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='account_id',
            field=models.CharField(blank=True, default='', max_length=12),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['account_id', '-event_time'], name='audit_account_time'),
        ),
    ]
