"""The operations of each served REST-JSON service by HTTP method and path, read from botocore's model."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import parse_qsl

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel

SERVICES = ("sso-oidc", "sso")  # a table written here: a caller never names a model to load


@dataclass(frozen=True)
class Route:
    service: str
    operation: str
    method: str
    path: str
    fixed_query: tuple[tuple[str, str], ...]  # literal query members of the requestUri (`/token?aws_iam=t`)


@functools.cache
def service_model(name: str) -> ServiceModel:
    if name not in SERVICES:
        raise LookupError(f"the REST-JSON door does not serve {name[:64]!r}")
    return ServiceModel(Loader().load_service_model(name, "service-2"), service_name=name)


def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


@functools.cache
def routes() -> tuple[Route, ...]:
    found = []
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            http = model.operation_model(name).http
            path, _, query = http["requestUri"].partition("?")
            found.append(Route(service, name, http["method"], path, tuple(parse_qsl(query))))
    # Routes with literal query members first: `/token?aws_iam=t` before `/token`.
    return tuple(sorted(found, key=lambda route: -len(route.fixed_query)))


@functools.cache
def paths() -> frozenset[str]:
    return frozenset(route.path for route in routes())


def route_for(method: str, path: str, query: dict[str, str]) -> Route | None:
    for route in routes():
        if route.method == method and route.path == path and all(query.get(k) == v for k, v in route.fixed_query):
            return route
    return None


@functools.cache
def error_statuses(service: str) -> dict[str, int]:
    """The HTTP status the model declares for each of its errors."""
    model = service_model(service)
    statuses = {}
    for shape_name in model.shape_names:
        shape = model.shape_for(shape_name)
        error = shape.metadata.get("error") if shape.metadata.get("exception") else None
        if error and "httpStatusCode" in error:
            statuses[error.get("code", shape_name)] = error["httpStatusCode"]
    return statuses
