"""Who calls the SCIM door: the identity provider holding a bearer token an administrator issued. Nothing else
opens it (no access key signature, no console session), and the token opens nothing else."""

from __future__ import annotations

from django.http import HttpRequest

from iam_console.callers import Caller, client_ip
from identitystore.principals import ScimProvisioner
from identitystore.services.scim_tokens import token_for_bearer


def scim_caller(request: HttpRequest) -> Caller | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, bearer = header.partition(" ")
    if scheme.lower() != "bearer" or not bearer.strip():
        return None
    token = token_for_bearer(bearer.strip())
    if token is None:
        return None
    return Caller(principal=ScimProvisioner.of(token), via="scim", source_ip=client_ip(request),
                  user_agent=request.META.get("HTTP_USER_AGENT", "")[:1024], secure_transport=request.is_secure(),
                  **({"request_id": request.iam_request_id} if getattr(request, "iam_request_id", None) else {}))
