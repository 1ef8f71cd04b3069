"""Which handler answers each IAM and STS action: `@operation("iam", "CreateUser")` registers one."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from iam_console.query import HANDLER_MODULES
from iam_console.query.service_models import operation_names

Handler = Callable[[Any, dict], dict]


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    # STS's federation calls are not signed: the token or assertion they carry is the credential.
    signed: bool = True


_OPERATIONS: dict[tuple[str, str], Operation] = {}
_loaded = False


def operation(service: str, name: str, *, signed: bool = True) -> Callable[[Handler], Handler]:
    """Register `handler(caller, params) -> dict` as the action `name` of `service` ("iam" or "sts").

    `params` is the request as botocore's input shape names it, already validated against the model's
    constraints; the returned dict is shaped like the model's output shape (timestamps as datetimes).
    """
    if name not in operation_names(service):
        raise ValueError(f"{service} has no action {name} in botocore's service model")

    def register(handler: Handler) -> Handler:
        key = (service, name)
        if key in _OPERATIONS:
            raise ValueError(f"{service}:{name} is registered twice")
        _OPERATIONS[key] = Operation(service=service, name=name, handler=handler, signed=signed)
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
