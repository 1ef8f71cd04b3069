"""Which handler answers each IAM and STS action: `@operation("iam", "CreateUser")` registers one."""

from __future__ import annotations

from iam_console.operation_registry import Operation, OperationRegistry
from iam_console.query import HANDLER_MODULES
from iam_console.query.service_models import operation_names

__all__ = ["Operation", "implemented", "lookup", "not_implemented", "operation"]

_REGISTRY = OperationRegistry(HANDLER_MODULES, operation_names, door="the Query API")
operation = _REGISTRY.operation  # `signed=False` for STS's federation calls
lookup = _REGISTRY.lookup
implemented = _REGISTRY.implemented
not_implemented = _REGISTRY.not_implemented
