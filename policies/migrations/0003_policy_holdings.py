"""The attachments, inline policies and permissions boundaries of users, groups and roles now belong to the
directory app (directory 0006). State only: the tables, and every row in them, stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('policies', '0002_role_policies'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='grouppolicyattachment',
                    name='group',
                ),
                migrations.RemoveField(
                    model_name='grouppolicyattachment',
                    name='policy',
                ),
                migrations.RemoveField(
                    model_name='roleinlinepolicy',
                    name='role',
                ),
                migrations.RemoveField(
                    model_name='rolepermissionsboundary',
                    name='policy',
                ),
                migrations.RemoveField(
                    model_name='rolepermissionsboundary',
                    name='role',
                ),
                migrations.RemoveField(
                    model_name='rolepolicyattachment',
                    name='policy',
                ),
                migrations.RemoveField(
                    model_name='rolepolicyattachment',
                    name='role',
                ),
                migrations.RemoveField(
                    model_name='userinlinepolicy',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='userpermissionsboundary',
                    name='policy',
                ),
                migrations.RemoveField(
                    model_name='userpermissionsboundary',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='userpolicyattachment',
                    name='policy',
                ),
                migrations.RemoveField(
                    model_name='userpolicyattachment',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='GroupInlinePolicy',
                ),
                migrations.DeleteModel(
                    name='GroupPolicyAttachment',
                ),
                migrations.DeleteModel(
                    name='RoleInlinePolicy',
                ),
                migrations.DeleteModel(
                    name='RolePermissionsBoundary',
                ),
                migrations.DeleteModel(
                    name='RolePolicyAttachment',
                ),
                migrations.DeleteModel(
                    name='UserInlinePolicy',
                ),
                migrations.DeleteModel(
                    name='UserPermissionsBoundary',
                ),
                migrations.DeleteModel(
                    name='UserPolicyAttachment',
                ),
            ],
            database_operations=[],
        ),
    ]
