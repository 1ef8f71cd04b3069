"""The operations of each served REST-JSON service by HTTP method and path, read from botocore's model.

A requestUri is a template: `/analyzer/{analyzerName}/archive-rule/{ruleName}`. A label matches one path segment,
except a label that ends the path (`/tags/{resourceArn}`), which takes the rest: the server hands the door the
decoded path, in which the `%2F` of an ARN is already a `/`. Routes with more literal text are tried first, so
`/analyzer/{name}/archive-rule` is never read as an analyzer named `x/archive-rule`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel


@dataclass(frozen=True)
class RestJsonService:
    name: str  # botocore's name of the model
    signing_name: str | None  # the service of its SigV4 credential scope; None: the operations are unsigned


# A table written here: a caller never names a model to load.
SERVICES: dict[str, RestJsonService] = {service.name: service for service in (
    RestJsonService("sso-oidc", None),
    RestJsonService("sso", None),
    RestJsonService("accessanalyzer", "access-analyzer"),
)}
SIGNING_NAMES: dict[str, str] = {service.signing_name: service.name for service in SERVICES.values()
                                 if service.signing_name}

_LABEL = re.compile(r"\{([A-Za-z0-9_]+)\+?\}")


@dataclass(frozen=True)
class Route:
    service: str
    operation: str
    method: str
    template: str  # the requestUri's path, labels included
    pattern: re.Pattern[str]
    fixed_query: tuple[tuple[str, str], ...]  # literal query members of the requestUri (`/token?aws_iam=t`)

    def labels(self, path: str) -> dict[str, str] | None:
        match = self.pattern.fullmatch(path)
        return match.groupdict() if match else None

    def sent_path(self, labels: dict[str, str]) -> str:
        """The path as botocore sent it: each label percent-encoded (SigV4 signs that form)."""
        return _LABEL.sub(lambda m: quote(labels[m.group(1)], safe="-._~"), self.template)


@functools.cache
def service_model(name: str) -> ServiceModel:
    if name not in SERVICES:
        raise LookupError(f"the REST-JSON door does not serve {name[:64]!r}")
    return ServiceModel(Loader().load_service_model(name, "service-2"), service_name=name)


def operation_model(service: str, operation: str) -> OperationModel:
    return service_model(service).operation_model(operation)


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for match in _LABEL.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        ends_path = match.end() == len(template)
        parts.append(f"(?P<{match.group(1)}>{'.+' if ends_path else '[^/]+'})")
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts))


@functools.cache
def routes() -> tuple[Route, ...]:
    found = []
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            http = model.operation_model(name).http
            path, _, query = http["requestUri"].partition("?")
            found.append(Route(service, name, http["method"], path, _pattern(path), tuple(parse_qsl(query))))
    # Literal query members first (`/token?aws_iam=t` before `/token`), then the most literal text.
    return tuple(sorted(found, key=lambda route: (-len(route.fixed_query), -len(_LABEL.sub("", route.template)))))


@functools.cache
def _first_segments() -> frozenset[str]:
    return frozenset(route.template.split("/")[1] for route in routes())


def route_for(method: str, path: str, query: dict[str, str]) -> tuple[Route, dict[str, str]] | None:
    """The operation a request names, with its path labels; None when no served operation has this path."""
    if path.split("/")[1] not in _first_segments():
        return None  # the console's and the other doors' paths: one set lookup, no pattern tried
    for route in routes():
        if route.method != method or not all(query.get(k) == v for k, v in route.fixed_query):
            continue
        labels = route.labels(path)
        if labels is not None:
            return route, labels
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
