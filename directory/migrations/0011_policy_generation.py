from django.db import migrations

from policies.generation import track_table_sql, untrack_table_sql

# Every table of this app that a user's, group's or role's policy set is read from (directory.policy_sets).
TRACKED = ["policies_userpolicyattachment", "policies_grouppolicyattachment", "policies_rolepolicyattachment",
           "policies_userinlinepolicy", "policies_groupinlinepolicy", "policies_roleinlinepolicy",
           "policies_userpermissionsboundary", "policies_rolepermissionsboundary", "directory_groupmembership",
           "directory_group"]


class Migration(migrations.Migration):

    dependencies = [
        ('directory', '0010_accounts_required'),
        ('policies', '0008_policy_generation'),
    ]

    operations = [
        migrations.RunSQL([track_table_sql(table) for table in TRACKED],
                          [untrack_table_sql(table) for table in TRACKED]),
    ]
