"""The handlers of an AWS-protocol door by service and operation: the Query, JSON 1.1 and REST-JSON doors each keep
one, filled by `@operation("<service>", "<Operation>")` in the door's handler modules.

A name is checked against botocore's model when it is registered, so a typo fails at import, not at the first call;
the handler modules are imported when the first request needs them, so that a door's package imports no app
until then.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

Handler = Callable[[Any, dict], dict]


@dataclass(frozen=True)
class Operation:
    service: str
    name: str
    handler: Handler
    # Whether the operation is signed with SigV4 (STS's federation calls are not: the token or assertion they
    # carry is the credential).
    signed: bool = True


class OperationRegistry:
    def __init__(self, handler_modules: Collection[str], operation_names: Callable[[str], Collection[str]],
                 served: Callable[[str], bool] = lambda service: True, door: str = "this door") -> None:
        self._handler_modules = handler_modules
        self._operation_names = operation_names
        self._served = served
        self._door = door
        self._operations: dict[tuple[str, str], Operation] = {}
        self._loaded = False

    def operation(self, service: str, name: str, *, signed: bool = True) -> Callable[[Handler], Handler]:
        """Register `handler(caller, params) -> dict` as the operation `name` of `service` (botocore's names).

        `params` is the request as the model's input shape names it, type-checked and validated against the
        model's constraints; the returned dict is shaped like the output shape (timestamps as datetimes), and
        members the shape does not declare are left out of the answer.
        """
        if not self._served(service):
            raise ValueError(f"{self._door} serves no service {service!r}")
        if name not in self._operation_names(service):
            raise ValueError(f"{service} has no operation {name} in botocore's service model")

        def register(handler: Handler) -> Handler:
            key = (service, name)
            if key in self._operations:
                raise ValueError(f"{service}:{name} is registered twice")
            self._operations[key] = Operation(service=service, name=name, handler=handler, signed=signed)
            return handler

        return register

    def unregister(self, service: str, name: str) -> None:
        """For tests that register a handler of their own for one test."""
        self._operations.pop((service, name), None)

    def _load(self) -> None:
        if not self._loaded:
            for module in self._handler_modules:
                importlib.import_module(module)
            self._loaded = True

    def lookup(self, service: str, name: str) -> Operation | None:
        self._load()
        return self._operations.get((service, name))

    def implemented(self, service: str) -> list[str]:
        self._load()
        return sorted(name for svc, name in self._operations if svc == service)

    def not_implemented(self, service: str) -> list[str]:
        return sorted(set(self._operation_names(service)) - set(self.implemented(service)))
