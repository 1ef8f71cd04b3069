"""botocore's published IAM and STS service models: the contract the Query API parses and renders by.

Only the services this door serves have a model here. A name from a request (a credential scope, an action) is
checked against SERVICES before anything is loaded, so the caches below hold at most one entry per served
service, whatever callers send.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

SERVICES = ("iam", "sts")


def is_served(service: str) -> bool:
    return service in SERVICES


@dataclass(frozen=True)
class ErrorShape:
    code: str
    http_status: int
    sender_fault: bool


_models: dict[str, ServiceModel] = {}


def service_model(service: str) -> ServiceModel:
    """The model of a served service; LookupError for any other name (nothing is loaded or kept for it).

    The caches of this module are keyed by names that got past this check (an exception is never cached)."""
    if not is_served(service):
        raise LookupError(f"the Query API does not serve {service[:64]!r}")
    model = _models.get(service)
    if model is None:
        model = _models.setdefault(service, ServiceModel(Loader().load_service_model(service, "service-2"),
                                                         service_name=service))
    return model


def loaded_services() -> tuple[str, ...]:
    return tuple(_models)


@functools.cache
def operation_model(service: str, name: str) -> OperationModel:
    return service_model(service).operation_model(name)


@functools.cache
def operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


def api_version(service: str) -> str:
    return service_model(service).api_version


def xml_namespace(service: str) -> str:
    return service_model(service).metadata["xmlNamespace"]


@functools.cache
def error_shapes(service: str) -> dict[str, ErrorShape]:
    """Each error code the model declares, with its HTTP status and whether the caller is at fault."""
    model = service_model(service)
    errors: dict[str, ErrorShape] = {}
    for name in model.shape_names:
        shape = model.shape_for(name)
        error = shape.metadata.get("error") if shape.metadata.get("exception") else None
        if error:
            code = error.get("code", name)
            errors[code] = ErrorShape(code=code, http_status=error.get("httpStatusCode", 400),
                                      sender_fault=error.get("senderFault", False))
    return errors


def service_for_action(action: str) -> str:
    """The service of an unsigned request: STS for STS's actions (the web identity and SAML calls), else IAM."""
    return "sts" if action in operation_names("sts") and action not in operation_names("iam") else "iam"
