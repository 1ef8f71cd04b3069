"""Which handler answers each operation of each JSON service: `@operation("organizations", "ListAccounts")`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iam_console.awsjson import HANDLER_MODULES
from iam_console.awsjson.service_models import BY_NAME, operation_names

Handler = Callable[[Any, dict], dict]


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler


_OPERATIONS: dict[tuple[str, str], Operation] = {}
_loaded = False


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register `handler(caller, params) -> dict` as the operation `name` of `service` (botocore's model name).

    `params` is the request body as the model's input shape names it, type-checked and validated against the
    model's constraints; the returned dict is shaped like the output shape (timestamps as datetimes), and members
    the shape does not declare are left out of the answer.
    """
    if service not in BY_NAME:
        raise ValueError(f"the JSON door serves no service {service!r}: add it to service_models.SERVICES")
    if name not in operation_names(service):
        raise ValueError(f"{service} has no operation {name} in botocore's service model")

    def register(handler: Handler) -> Handler:
        key = (service, name)
        if key in _OPERATIONS:
            raise ValueError(f"{service}:{name} is registered twice")
        _OPERATIONS[key] = Operation(service=service, name=name, handler=handler)
        return handler

    return register


def load_handlers() -> None:
    global _loaded
    if not _loaded:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        _loaded = True


def lookup(service: str, name: str) -> Operation | None:
    load_handlers()
    return _OPERATIONS.get((service, name))


def implemented(service: str) -> list[str]:
    load_handlers()
    return sorted(name for svc, name in _OPERATIONS if svc == service)


def not_implemented(service: str) -> list[str]:
    return sorted(operation_names(service) - set(implemented(service)))
