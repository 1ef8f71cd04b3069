"""The service catalogue: register, read, list and remove the services whose actions policies may name.

The catalogue is the directory's: a prefix is registered once, by one account, and every account's policies may
name its actions. Reading, replacing and removing a definition is its registering account's business."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from iam_console import identifiers
from iam_console.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from policies.authorization import Caller, authorize_caller
from policies.aws_services import PREFIX, is_aws_service_prefix
from policies.catalogue import ensure_catalogue_loaded
from policies.language.actions import ACCESS_LEVELS, BUILTIN_SERVICES, all_actions
from policies.models import ServiceDefinition

PREFIX_MAX = 64
ACTION_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,127}")
RESOURCE_TYPE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
CONDITION_KEY_TYPES = ("String", "Numeric", "Date", "Bool", "Binary", "IPAddress", "ARN", "ArrayOfString",
                       "ArrayOfNumeric", "ArrayOfDate", "ArrayOfBool", "ArrayOfARN")
MAX_ACTIONS = 1000
MAX_SERVICES = 200


def service_arn(account_id: str, prefix: str) -> str:
    return identifiers.iam_arn(account_id, f"service/{prefix}")


def _prefix(value: object) -> str:
    """A well-formed prefix, as AWS spells them: lower-case words joined by single hyphens ("docs",
    "execute-api")."""
    if not isinstance(value, str) or len(value) > PREFIX_MAX or not PREFIX.fullmatch(value):
        raise ValidationError(f"service_prefix must be 1 to {PREFIX_MAX} lower-case letters and digits, in words "
                              "joined by single hyphens (e.g. docs or doc-store)")
    return value


def _registrable(prefix: str) -> str:
    """Refuse the names a policy would read as another service's actions: the directory's own and AWS's."""
    if prefix in BUILTIN_SERVICES:
        raise InvalidInput(f"{prefix} is the directory's own service, as in AWS, and cannot be registered.")
    if is_aws_service_prefix(prefix):
        raise InvalidInput(f"{prefix} is the service prefix of an AWS service: policies naming {prefix}:… actions "
                           "mean AWS's service. Register your service under a prefix of its own.")
    return prefix


def _text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ValidationError(f"{field} must be a string of at most {limit} characters"
                              + (" and must not be empty" if required else ""))
    return value


def _list(value: object, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{field} must be a list")
    return value


def normalize_definition(prefix: str, actions: object, resource_types: object,
                         condition_keys: object) -> dict[str, Any]:
    """The definition as stored, or a ValidationError naming the first thing to fix."""
    types_out = []
    type_names: set[str] = set()
    for index, item in enumerate(_list(resource_types, "resource_types")):
        if not isinstance(item, dict):
            raise ValidationError(f"resource_types[{index}] must be an object with name and arn_format")
        name = item.get("name")
        if not isinstance(name, str) or not RESOURCE_TYPE_NAME.fullmatch(name):
            raise ValidationError(f"resource_types[{index}].name must be letters, digits, _ and -, starting with "
                                  "a letter")
        if name.lower() in type_names:
            raise ValidationError(f"resource type {name} is listed twice")
        arn_format = _text(item.get("arn_format"), f"resource_types[{index}].arn_format", 1011, required=True)
        parts = arn_format.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != prefix or not parts[5]:
            raise ValidationError(f"resource_types[{index}].arn_format must look like "
                                  f"arn:${{Partition}}:{prefix}:<region>:<account>:<resource>, not {arn_format}")
        type_names.add(name.lower())
        types_out.append({"name": name, "arn_format": arn_format})
    actions_in = _list(actions, "actions")
    if not actions_in:
        raise ValidationError("actions must list at least one action")
    if len(actions_in) > MAX_ACTIONS:
        raise LimitExceeded(f"A service may define at most {MAX_ACTIONS} actions.")
    actions_out = []
    action_names: set[str] = set()
    for index, item in enumerate(actions_in):
        if not isinstance(item, dict):
            raise ValidationError(f"actions[{index}] must be an object with name and access_level")
        name = item.get("name")
        if not isinstance(name, str) or not ACTION_NAME.fullmatch(name):
            raise ValidationError(f"actions[{index}].name must be letters, digits, _ and -, starting with a "
                                  "letter (e.g. GetDocument)")
        if name.lower() in action_names:
            raise ValidationError(f"action {name} is listed twice")
        level = item.get("access_level")
        if level not in ACCESS_LEVELS:
            raise ValidationError(f"actions[{index}].access_level must be one of {', '.join(ACCESS_LEVELS)}")
        types = _list(item.get("resource_types"), f"actions[{index}].resource_types")
        for type_name in types:
            if not isinstance(type_name, str) or type_name.lower() not in type_names:
                raise ValidationError(f"action {name} names resource type {type_name!s}, which resource_types "
                                      "does not define")
        action_names.add(name.lower())
        actions_out.append({"name": name, "access_level": level, "resource_types": list(types),
                            "description": _text(item.get("description"), f"actions[{index}].description", 1000)})
    keys_out = []
    for index, item in enumerate(_list(condition_keys, "condition_keys")):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValidationError(f"condition_keys[{index}] must be an object with name and type")
        name = item["name"]
        if not name.lower().startswith(f"{prefix}:") or len(name) > 256 or len(name) <= len(prefix) + 1:
            raise ValidationError(f"condition_keys[{index}].name must start with {prefix}: (e.g. "
                                  f"{prefix}:Classification)")
        key_type = item.get("type", "String")
        if key_type not in CONDITION_KEY_TYPES:
            raise ValidationError(f"condition_keys[{index}].type must be one of {', '.join(CONDITION_KEY_TYPES)}")
        keys_out.append({"name": name, "type": key_type,
                         "description": _text(item.get("description"), f"condition_keys[{index}].description",
                                              1000)})
    return {"actions": actions_out, "resource_types": types_out, "condition_keys": keys_out}


@dataclass(frozen=True)
class PutResult:
    service: ServiceDefinition
    created: bool

    def audit_elements(self) -> dict:
        return {"serviceArn": self.service.arn, "created": self.created}


@iam_operation("PutServiceDefinition")
def put_service_definition(*, caller: Caller, service_prefix: str, name: str, actions: list,
                           resource_types: list | None = None, condition_keys: list | None = None,
                           description: str = "") -> PutResult:
    """Register a service, or replace its definition (idempotent: a deployment can run it every time)."""
    prefix = _prefix(service_prefix)
    authorize_caller(caller, "iam:PutServiceDefinition", service_arn(caller.account_id, prefix))
    _registrable(prefix)
    name = _text(name, "name", 128, required=True)
    description = _text(description, "description", 1000)
    definition = normalize_definition(prefix, actions, resource_types, condition_keys)
    existing = ServiceDefinition.objects.select_for_update().filter(service_prefix=prefix).first()
    now = timezone.now()
    if existing is not None and existing.account_id != caller.account_id:
        raise EntityAlreadyExists(f"The service prefix {prefix} is already registered in this directory: choose "
                                  "another prefix.")
    if existing is not None:
        existing.name, existing.description, existing.definition, existing.update_date = (
            name, description, definition, now)
        existing.save(update_fields=["name", "description", "definition", "update_date"])
        return PutResult(existing, created=False)
    if ServiceDefinition.objects.count() >= MAX_SERVICES:
        raise LimitExceeded(f"The catalogue holds at most {MAX_SERVICES} services.")
    try:
        with transaction.atomic():
            created = ServiceDefinition.objects.create(account_id=caller.account_id, service_prefix=prefix, name=name,
                                                       description=description,
                                                       definition=definition, create_date=now, update_date=now)
    except IntegrityError:  # registered concurrently: this call replaces it
        created = ServiceDefinition.objects.select_for_update().get(service_prefix=prefix)
        if created.account_id != caller.account_id:
            raise EntityAlreadyExists(f"The service prefix {prefix} is already registered in this directory: "
                                      "choose another prefix.") from None
        created.name, created.description, created.definition, created.update_date = (
            name, description, definition, now)
        created.save(update_fields=["name", "description", "definition", "update_date"])
        return PutResult(created, created=False)
    return PutResult(created, created=True)


@iam_operation("GetServiceDefinition")
def get_service_definition(*, caller: Caller, service_prefix: str) -> ServiceDefinition:
    prefix = _prefix(service_prefix)
    authorize_caller(caller, "iam:GetServiceDefinition", service_arn(caller.account_id, prefix))
    service = ServiceDefinition.objects.filter(service_prefix=prefix, account_id=caller.account_id).first()
    if service is None:
        raise NoSuchEntity(f"The service with prefix {prefix} is not registered.")
    return service


@iam_operation("ListServiceDefinitions")
def list_service_definitions(*, caller: Caller) -> list[ServiceDefinition]:
    authorize_caller(caller, "iam:ListServiceDefinitions", "*")
    return list(ServiceDefinition.objects.filter(account_id=caller.account_id).order_by("service_prefix"))


@iam_operation("DeleteServiceDefinition")
def delete_service_definition(*, caller: Caller, service_prefix: str) -> None:
    prefix = _prefix(service_prefix)
    authorize_caller(caller, "iam:DeleteServiceDefinition", service_arn(caller.account_id, prefix))
    deleted, _ = ServiceDefinition.objects.filter(service_prefix=prefix, account_id=caller.account_id).delete()
    if not deleted:
        raise NoSuchEntity(f"The service with prefix {prefix} is not registered.")


@iam_operation("ListServiceActions", action="iam:ListServiceDefinitions")
def list_service_actions(*, caller: Caller) -> list[dict[str, str]]:
    """Every action policies may name, the directory's own and registered services', for editors' completions."""
    authorize_caller(caller, "iam:ListServiceDefinitions", "*")
    ensure_catalogue_loaded()
    return [{"action": info.full_name, "access_level": info.access_level}
            for info in sorted(all_actions(), key=lambda info: info.full_name.lower()) if info.implemented]
