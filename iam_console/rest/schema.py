"""OpenAPI descriptions of how callers authenticate: AWS Signature Version 4, or the console's session."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SigV4Scheme(OpenApiAuthenticationExtension):
    target_class = "sts.authentication.SigV4Authentication"
    name = "sigv4"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "AWS Signature Version 4 (AWS4-HMAC-SHA256) with an access key, service `iam`, "
            "any region: botocore, every AWS SDK and `curl --aws-sigv4 \"aws:amz:us-east-1:iam\"` sign this way.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "sts.authentication.SessionAuthentication"
    name = "console-session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid",
                "description": "The console's session cookie; unsafe methods also need the X-CSRFToken header."}
