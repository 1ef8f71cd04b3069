"""The OpenAPI schema's own parts: authentication schemes (SigV4, the console's session), operation
descriptions and component names, and each route listed once."""

from __future__ import annotations

import inspect
import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


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


def drop_slash_twins(endpoints: list) -> list:
    """Schema preprocessing: each route once, in its written form (its other spelling also works)."""
    return [endpoint for endpoint in endpoints if not getattr(endpoint[3], "slash_twin", False)]


def _words(operation_id: str) -> str:
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z]+|[0-9]+", operation_id)
    return " ".join([words[0], *(w if w.isupper() and len(w) > 1 else w.lower() for w in words[1:])])


class IAMAutoSchema(AutoSchema):
    """Each operation described for itself, and request components named once."""

    def get_description(self) -> str:
        """The handler's docstring, else a sentence naming the IAM operation; then what the view class
        itself says (never the shared base class's docstring)."""
        handler = getattr(self.view, self.method.lower(), None)
        own = inspect.getdoc(handler) if handler is not None and handler.__doc__ else ""
        if not own:
            operation = self.get_operation_id()
            own = f"{_words(operation)}: IAM's {operation}, with its parameters in snake_case, its rules and its errors."
        view_doc = type(self.view).__dict__.get("__doc__")
        return f"{own}\n\n{inspect.cleandoc(view_doc)}" if view_doc else own

    def get_request_serializer(self):
        # A DELETE has a body only where extend_schema(request=…) declares one (which answers before this); never
        # guessed from the view.
        return None if self.method == "DELETE" else super().get_request_serializer()

    def _get_request_body(self, direction="request"):
        """drf-spectacular documents bodies for PUT, PATCH and POST only; a DELETE that takes one (the serial
        number of DeleteVirtualMFADevice) declares it with extend_schema(request=…), and clients must see it."""
        if self.method != "DELETE" or self.get_request_serializer() is None:
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"

    def get_serializer_name(self, serializer, direction) -> str:
        # Request components get "Request" appended (COMPONENT_SPLIT_REQUEST); our request serializers are
        # already named ...Request, so drop it here rather than publish CreatePolicyRequestRequest.
        name = super().get_serializer_name(serializer, direction)
        return name.removesuffix("Request") if direction == "request" else name
