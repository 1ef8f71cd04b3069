"""Which handler answers each signed operation of each REST-JSON service: `@operation("accessanalyzer", "GetAnalyzer")`.

The sign-in services' operations are unsigned and authenticate themselves (a client secret, a bearer token): their
handlers take the request and are listed in handlers.py. Every signed operation is registered here instead and
takes the signed principal's Caller, as the other AWS doors' handlers do.
"""

from __future__ import annotations

from iam_console.operation_registry import Operation, OperationRegistry
from iam_console.restjson import HANDLER_MODULES
from iam_console.restjson.routes import SERVICES, service_model

__all__ = ["Operation", "implemented", "lookup", "not_implemented", "operation", "unregister"]


def _signed(service: str) -> bool:
    return service in SERVICES and SERVICES[service].signing_name is not None


def _operation_names(service: str) -> frozenset[str]:
    return frozenset(service_model(service).operation_names)


_REGISTRY = OperationRegistry(HANDLER_MODULES, _operation_names, served=_signed,
                              door="the REST-JSON door's signed services (routes.SERVICES)")
operation = _REGISTRY.operation
lookup = _REGISTRY.lookup
implemented = _REGISTRY.implemented
not_implemented = _REGISTRY.not_implemented
unregister = _REGISTRY.unregister
