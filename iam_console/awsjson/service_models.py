"""The services the JSON 1.1 door serves and botocore's published model of each.

A request names its service twice: the `X-Amz-Target` prefix and the credential scope of its signature. Both are
checked against SERVICES, a table written here, before any model is loaded: a name a caller makes up is never
looked up on disk nor cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel


@dataclass(frozen=True)
class JsonService:
    name: str  # botocore's name of the model (`organizations`, `identitystore`, `sso-admin`)
    target_prefix: str  # the model's targetPrefix: `X-Amz-Target: <prefix>.<Operation>`
    signing_name: str  # the service of its SigV4 credential scope
    # What an operation of the model that this directory does not implement answers (code, HTTP status, message).
    unsupported_code: str = "UnknownOperationException"
    unsupported_message: str = "This operation is not supported by this directory."


SERVICES: dict[str, JsonService] = {service.target_prefix: service for service in (
    JsonService("organizations", "AWSOrganizationsV20161128", "organizations",
                unsupported_code="UnsupportedAPIEndpointException",
                unsupported_message="This API endpoint is not supported by this directory."),
    JsonService("sso-admin", "SWBExternalService", "sso"),
    JsonService("identitystore", "AWSIdentityStore", "identitystore"),
)}
BY_NAME: dict[str, JsonService] = {service.name: service for service in SERVICES.values()}
SIGNING_NAMES: frozenset[str] = frozenset(service.signing_name for service in SERVICES.values())


def service_for_target(prefix: str) -> JsonService | None:
    return SERVICES.get(prefix)


_models: dict[str, ServiceModel] = {}


def service_model(name: str) -> ServiceModel:
    """The model of a served service; LookupError for any other name (nothing is loaded or kept for it)."""
    if name not in BY_NAME:
        raise LookupError(f"the JSON door does not serve {name[:64]!r}")
    model = _models.get(name)
    if model is None:
        model = _models.setdefault(name, ServiceModel(Loader().load_service_model(name, "service-2"),
                                                      service_name=name))
    return model


def loaded_services() -> tuple[str, ...]:
    return tuple(_models)


@functools.cache
def operation_names(name: str) -> frozenset[str]:
    return frozenset(service_model(name).operation_names)


@functools.cache
def operation_model(name: str, operation: str) -> OperationModel:
    return service_model(name).operation_model(operation)


@functools.cache
def error_statuses(name: str) -> dict[str, int]:
    """The HTTP status of each error code the model declares one for (many JSON models declare none)."""
    model = service_model(name)
    statuses: dict[str, int] = {}
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        error = shape.metadata.get("error") if shape.metadata.get("exception") else None
        if error and "httpStatusCode" in error:
            statuses[error.get("code", shape_name)] = error["httpStatusCode"]
    return statuses
