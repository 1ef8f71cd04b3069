"""Which handler answers each operation of each JSON service: `@operation("organizations", "ListAccounts")`."""

from __future__ import annotations

from iam_console.awsjson import HANDLER_MODULES
from iam_console.awsjson.service_models import BY_NAME, operation_names
from iam_console.operation_registry import Operation, OperationRegistry

__all__ = ["Operation", "implemented", "lookup", "not_implemented", "operation"]

_REGISTRY = OperationRegistry(HANDLER_MODULES, operation_names, served=BY_NAME.__contains__,
                              door="the JSON door (add the service to service_models.SERVICES)")
operation = _REGISTRY.operation
lookup = _REGISTRY.lookup
implemented = _REGISTRY.implemented
not_implemented = _REGISTRY.not_implemented
