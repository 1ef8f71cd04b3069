"""The walks' extension point: each door of the product describes its operations and how to call them, once.

The walks (test_every_door.py) prove, for every operation of every registered door, that hostile input never
fails the server, that a caller with no permission cannot tell existing entities from missing ones, and that
unsigned or wrongly signed requests are refused. They know no door themselves: a door joins by registration.

To add a door (say `iam_console/json/`, AWS's JSON 1.1 protocol, or `iam_console/scim/`):

1. Write `tests/walks/door_<name>.py` with a subclass of `Door` and decorate it with `@register`. It says:
   - `packages`: the product packages it walks (the door's entry in pyproject's layers contract);
   - `operations()`: every operation, read from the door's own registry (never listed by hand);
   - `begin(caller)` (optional): open what calling as `caller` needs (a console session, a SCIM token);
   - `call(operation, arguments, caller, credentials)`: one request as a client of that door sends it,
     answered as an `Answer` (status, error code, whether the body has the door's error shape);
   - `arguments(operation, samples)`: arguments that get past the door's own parsing, naming the entities in
     `samples` (entities.py: an existing and a missing one of every kind);
   - `hostile_arguments(operation, samples)`: for every parameter, a NUL and non-ASCII digits (in the value,
     and in the index of a list member where the protocol numbers them).
2. Modules named `door_*.py` in this package are imported by `load_doors()`: nothing else to change. A door
   package named in pyproject's layers contract but walked by no registered door fails
   test_every_door_of_the_product_is_walked.
"""

from __future__ import annotations

import enum
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NUL = "a\x00b"
# Digits that are not ASCII: a superscript (str.isdigit() says yes, int() says no), an Arabic-Indic three (int()
# reads it as 3) and a full-width one.
NON_ASCII_DIGITS = ("\u00b2", "\u0663", "\uff11")
# An index far longer than Python's int() accepts from text (4,300 digits).
LONG_INDEX = "1" * 5000


class Credentials(enum.Enum):
    """How a request presents (or fails to present) its caller."""

    SIGNED = "signed"  # the caller's own credentials, as the door expects them
    UNSIGNED = "unsigned"  # none at all
    WRONG_SCOPE = "wrong-scope"  # a SigV4 signature whose credential scope names another service (s3)
    WRONG_SECRET = "wrong-secret"  # a SigV4 signature made with a secret that is not the key's


@dataclass(frozen=True)
class Identity:
    """A caller: an IAM user's name, with its console password and access key where it has them, and the account
    it signs in to (empty: the management account)."""

    user_name: str
    access_key_id: str = ""
    secret_access_key: str = ""
    password: str = ""
    account: str = ""


@dataclass(frozen=True)
class Operation:
    """One operation of a door: a Query action, a REST route and method, a console page or form."""

    door: str
    name: str  # unique within its door, e.g. "iam:CreateUser", "POST /api/v1/users/", "POST console:user-create"
    parameters: tuple[str, ...] = ()
    public: bool = False  # answers a caller without credentials by design (sign-in, federation, health)
    self_service: bool = False  # acts only on the caller itself: a caller with no policy may succeed
    detail: Mapping[str, object] = field(default_factory=dict)  # the door's own notes (route, shapes…)


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None  # the door's error code; None for a success or a page without one
    message: str = ""
    well_formed: bool = True  # the body has the door's own shape (XML ErrorResponse, JSON error, a page)
    location: str = ""  # a redirect's target

    def __str__(self) -> str:
        return f"{self.status} {self.code or ''} {self.message[:160]}".strip()


class Door:
    """One door, as the walks see it. Subclasses implement every method below."""

    name: str = ""
    packages: tuple[str, ...] = ()

    def __init__(self) -> None:
        self._clients: dict[tuple, Any] = {}

    def client(self, key: tuple, make: Any) -> Any:
        """One HTTP client per key (credentials, service…), made by `make()` once: a new Django test client loads
        the middleware again, and the static files middleware alone reads every asset then (half a second)."""
        if key not in self._clients:
            self._clients[key] = make()
        return self._clients[key]

    def operations(self) -> list[Operation]:
        raise NotImplementedError

    def begin(self, caller: Identity) -> None:
        """Before a walk that calls as `caller`: open what the door needs outside the walk's rolled-back
        requests (a console session, say). By default nothing."""

    def call(self, operation: Operation, arguments: Mapping[str, str], caller: Identity | None,
             credentials: Credentials = Credentials.SIGNED) -> Answer:
        raise NotImplementedError

    def arguments(self, operation: Operation, samples: Mapping[str, str]) -> dict[str, str]:
        raise NotImplementedError

    def hostile_arguments(self, operation: Operation, samples: Mapping[str, str]
                          ) -> Iterator[tuple[str, dict[str, str]]]:
        """(what was done, arguments) for each parameter in turn: a NUL, non-ASCII digits, hostile indexes."""
        raise NotImplementedError

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        """Whether `answer` is this door's refusal of a request without valid credentials."""
        raise NotImplementedError

    def is_access_denied(self, answer: Answer) -> bool:
        """Whether `answer` is this door's AccessDenied."""
        raise NotImplementedError


class APIDoor(Door):
    """A door that answers errors with AWS's codes and authenticates with SigV4 (the Query API, REST, JSON)."""

    AUTHENTICATION_CODES = frozenset({"MissingAuthenticationToken", "InvalidClientTokenId", "SignatureDoesNotMatch",
                                      "IncompleteSignature"})

    def refuses_unauthenticated(self, answer: Answer) -> bool:
        return answer.status == 403 and answer.code in self.AUTHENTICATION_CODES

    def is_access_denied(self, answer: Answer) -> bool:
        return answer.status == 403 and answer.code == "AccessDenied"


_DOORS: dict[str, Door] = {}


def register(door_class: type[Door]) -> type[Door]:
    door = door_class()
    if not door.name or door.name in _DOORS:
        raise ValueError(f"a walk door needs a unique name, not {door.name!r}")
    _DOORS[door.name] = door
    return door_class


def load_doors() -> dict[str, Door]:
    """Every registered door: the door_*.py modules of this package, imported once."""
    package = Path(__file__).parent
    for module in pkgutil.iter_modules([str(package)]):
        if module.name.startswith("door_"):
            importlib.import_module(f"{__package__}.{module.name}")
    return dict(_DOORS)
