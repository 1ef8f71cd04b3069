"""The AWS Query API (IAM 2010-05-08, STS 2011-06-15): boto3, the AWS CLI and Terraform against the directory.

A door: it parses and validates a request against botocore's published service model, calls the same services
the REST API and the console call, and renders their answer as AWS's XML.
"""

# Every module of operation handlers, imported once when the first request needs them: the one list to extend.
HANDLER_MODULES = (
    "iam_console.query.iam_users",
    "iam_console.query.iam_groups",
    "iam_console.query.iam_access_keys",
    "iam_console.query.iam_login_profiles",
    "iam_console.query.iam_account",
    "iam_console.query.iam_absent_entities",
    "iam_console.query.sts_operations",
    "iam_console.query.iam_policies",
    "iam_console.query.iam_roles",
    "iam_console.query.iam_attachments",
    "iam_console.query.iam_mfa",
    "iam_console.query.iam_reports",
    "iam_console.query.iam_simulation",
    "iam_console.query.iam_details",
    "iam_console.query.iam_federation",
    "iam_console.query.sts_federation",
    "iam_console.query.iam_last_accessed",
)
