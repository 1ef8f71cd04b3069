"""The AWS REST-JSON door: IAM Identity Center's sign-in services, SSO OIDC (sso-oidc/2019-06-10) and the portal API
(sso/2019-06-10), and IAM Access Analyzer (accessanalyzer/2019-11-01). Each operation is routed by its HTTP method
and requestUri in botocore's model, with members read from the path, query string, headers and JSON body as the
model locates them.

The sign-in operations are unsigned (no auth, or an access token in `x-amz-sso_bearer_token`); Access Analyzer's
are signed with SigV4 for `access-analyzer`. Only the paths of served operations are taken, before the console sees
the request.
"""

# Every module of signed operation handlers, imported once when the first request needs them: the one list to
# extend. Each registers its handlers with `@operation("<service>", "<Operation>")` (registry.py).
HANDLER_MODULES: tuple[str, ...] = (
    "iam_console.restjson.access_previews",
    "iam_console.restjson.analyzers",
    "iam_console.restjson.analyzed_resources",
    "iam_console.restjson.policy_checks",
    "iam_console.restjson.policy_generation",
)
