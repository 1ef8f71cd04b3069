"""The AWS REST-JSON door for IAM Identity Center's sign-in services: SSO OIDC (sso-oidc/2019-06-10) and the portal
API (sso/2019-06-10), routed by each operation's HTTP method and requestUri in botocore's model, with members read
from the path, query string, headers and JSON body as the model locates them.

These operations are unsigned (no auth, or an access token in `x-amz-sso_bearer_token`): only their exact URIs are
taken, before the console sees the request.
"""
