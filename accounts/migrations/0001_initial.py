import django.db.models.functions.text
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Account',
            fields=[
                ('id', models.CharField(max_length=12, primary_key=True, serialize=False)),
                ('name', models.CharField(max_length=50)),
                ('email', models.CharField(max_length=64)),
                ('email_key', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Lower('email'), output_field=models.CharField(max_length=64), unique=True)),
                ('status', models.CharField(choices=[('ACTIVE', 'Active'), ('SUSPENDED', 'Suspended'), ('PENDING_CLOSURE', 'Pending Closure'), ('CLOSED', 'Closed')], default='ACTIVE', max_length=16)),
                ('alias', models.CharField(blank=True, max_length=63, null=True, unique=True)),
                ('joined_method', models.CharField(choices=[('CREATED', 'Created'), ('INVITED', 'Invited')], default='CREATED', max_length=8)),
                ('joined_timestamp', models.DateTimeField(default=django.utils.timezone.now)),
                ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                ('is_management', models.BooleanField(default=False, help_text="The organization's management account.")),
            ],
            options={
                'ordering': ['create_date', 'id'],
                'constraints': [models.UniqueConstraint(condition=models.Q(('is_management', True)), fields=('is_management',), name='account_one_management'), models.CheckConstraint(condition=models.Q(('id__regex', '^[0-9]{12}$')), name='account_id_12_digits')],
            },
        ),
    ]
