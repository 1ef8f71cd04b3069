"""Keeping the policy engine's action catalogue in step with the services registered in the database.

The engine (policies.language) is pure and keeps its catalogue in memory; each process loads registered services
into it, and reloads when a cheap generation query shows that the registrations changed (in any process).
"""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from policies.language import actions as engine_catalogue
from policies.models import ServiceDefinition

_lock = threading.Lock()
_loaded_generation: tuple | None = None


def _generation() -> tuple:
    row = ServiceDefinition.objects.aggregate(count=Count("id"), latest=Max("update_date"))
    return row["count"], row["latest"]


def ensure_catalogue_loaded() -> None:
    """Make the engine know exactly the registered services (one small query when nothing changed)."""
    global _loaded_generation
    generation = _generation()
    if generation == _loaded_generation:
        return
    with _lock:
        definitions = list(ServiceDefinition.objects.all())
        registered = {d.service_prefix for d in definitions}
        for prefix in set(engine_catalogue.KNOWN_SERVICES) - engine_catalogue.BUILTIN_SERVICES - registered:
            engine_catalogue.unregister_service(prefix)
        for definition in definitions:
            load_into_engine(definition)
        _loaded_generation = generation


def load_into_engine(definition: ServiceDefinition) -> None:
    body = definition.definition
    engine_catalogue.register_service(
        definition.service_prefix,
        actions=[(a["name"], a["access_level"], a.get("resource_types", [])) for a in body.get("actions", [])],
        resource_types=[(r["name"], r["arn_format"]) for r in body.get("resource_types", [])],
        condition_keys=[k["name"] for k in body.get("condition_keys", [])],
    )
