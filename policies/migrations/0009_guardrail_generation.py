from django.db import migrations

from policies.generation import track_table_sql, untrack_table_sql

# The organization's tables a policy set's guardrails are read from: an attachment, a policy's content, a move, a
# policy type enabled or an account joining or leaving is in force on the next request of every process.
TRACKED = ["accounts_policyattachment", "accounts_organizationpolicy", "accounts_organizationalunit",
           "accounts_organization", "accounts_account"]


class Migration(migrations.Migration):

    dependencies = [
        ("policies", "0008_policy_generation"),
        ("accounts", "0003_organization"),
    ]

    operations = [
        migrations.RunSQL([track_table_sql(table) for table in TRACKED],
                          [untrack_table_sql(table) for table in TRACKED]),
    ]
