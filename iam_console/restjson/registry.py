"""Which handler answers each signed operation of each REST-JSON service: `@operation("accessanalyzer", "GetAnalyzer")`.

The sign-in services' operations are unsigned and authenticate themselves (a client secret, a bearer token): their
handlers take the request and are listed in handlers.py. Every signed operation is registered here instead and
takes the signed principal's Caller, as the JSON 1.1 door's handlers do.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from iam_console.restjson import HANDLER_MODULES
from iam_console.restjson.routes import SERVICES, service_model

Handler = Callable[[Any, dict], dict]

_HANDLERS: dict[tuple[str, str], Handler] = {}
_loaded = False


def operation(service: str, name: str) -> Callable[[Handler], Handler]:
    """Register `handler(caller, params) -> dict` as the operation `name` of the signed `service`.

    `params` holds the input members by the model's names, from the path labels, query string, headers and JSON
    body, type-checked and validated against the model's constraints; the returned dict is shaped like the output
    shape (timestamps as datetimes), and members the shape does not declare are left out of the answer.
    """
    if service not in SERVICES or SERVICES[service].signing_name is None:
        raise ValueError(f"the REST-JSON door serves no signed service {service!r}: add it to routes.SERVICES")
    if name not in service_model(service).operation_names:
        raise ValueError(f"{service} has no operation {name} in botocore's service model")

    def register(handler: Handler) -> Handler:
        if (service, name) in _HANDLERS:
            raise ValueError(f"{service}:{name} is registered twice")
        _HANDLERS[(service, name)] = handler
        return handler

    return register


def load_handlers() -> None:
    global _loaded
    if not _loaded:
        for module in HANDLER_MODULES:
            importlib.import_module(module)
        _loaded = True


def lookup(service: str, name: str) -> Handler | None:
    load_handlers()
    return _HANDLERS.get((service, name))


def implemented(service: str) -> list[str]:
    load_handlers()
    return sorted(name for svc, name in _HANDLERS if svc == service)


def not_implemented(service: str) -> list[str]:
    return sorted(set(service_model(service).operation_names) - set(implemented(service)))
