"""The attachments, inline policies and permissions boundaries of users, groups and roles, taken over from the
policies app (policies 0003). State only: each model names its existing table (db_table), so no row moves."""

import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0005_user_created_index'),
        ('policies', '0003_policy_holdings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RolePermissionsBoundary',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_boundaries', to='policies.managedpolicy')),
                        ('role', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='permissions_boundary', to='directory.role')),
                    ],
                    options={
                        'db_table': 'policies_rolepermissionsboundary',
                    },
                ),
                migrations.CreateModel(
                    name='UserPermissionsBoundary',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='user_boundaries', to='policies.managedpolicy')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='permissions_boundary', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'policies_userpermissionsboundary',
                    },
                ),
                migrations.CreateModel(
                    name='GroupInlinePolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('policy_name', models.CharField(max_length=128)),
                        ('policy_name_key', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Lower('policy_name'), output_field=models.CharField(max_length=128))),
                        ('document', models.TextField()),
                        ('update_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inline_policies', to='directory.group')),
                    ],
                    options={
                        'db_table': 'policies_groupinlinepolicy',
                        'ordering': ['policy_name_key'],
                        'constraints': [models.UniqueConstraint(fields=('group', 'policy_name_key'), name='group_inline_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='GroupPolicyAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('group', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='policy_attachments', to='directory.group')),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='group_attachments', to='policies.managedpolicy')),
                    ],
                    options={
                        'db_table': 'policies_grouppolicyattachment',
                        'constraints': [models.UniqueConstraint(fields=('group', 'policy'), name='group_policy_attachment_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='RoleInlinePolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('policy_name', models.CharField(max_length=128)),
                        ('policy_name_key', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Lower('policy_name'), output_field=models.CharField(max_length=128))),
                        ('document', models.TextField()),
                        ('update_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('role', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inline_policies', to='directory.role')),
                    ],
                    options={
                        'db_table': 'policies_roleinlinepolicy',
                        'ordering': ['policy_name_key'],
                        'constraints': [models.UniqueConstraint(fields=('role', 'policy_name_key'), name='role_inline_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='RolePolicyAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='role_attachments', to='policies.managedpolicy')),
                        ('role', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='policy_attachments', to='directory.role')),
                    ],
                    options={
                        'db_table': 'policies_rolepolicyattachment',
                        'constraints': [models.UniqueConstraint(fields=('role', 'policy'), name='role_policy_attachment_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='UserInlinePolicy',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('policy_name', models.CharField(max_length=128)),
                        ('policy_name_key', models.GeneratedField(db_persist=True, expression=django.db.models.functions.text.Lower('policy_name'), output_field=models.CharField(max_length=128))),
                        ('document', models.TextField()),
                        ('update_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='inline_policies', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'policies_userinlinepolicy',
                        'ordering': ['policy_name_key'],
                        'constraints': [models.UniqueConstraint(fields=('user', 'policy_name_key'), name='user_inline_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='UserPolicyAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('create_date', models.DateTimeField(default=django.utils.timezone.now)),
                        ('policy', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='user_attachments', to='policies.managedpolicy')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='policy_attachments', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'policies_userpolicyattachment',
                        'constraints': [models.UniqueConstraint(fields=('user', 'policy'), name='user_policy_attachment_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
