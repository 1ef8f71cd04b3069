"""GET /metrics: the installation's metrics in Prometheus's text format, for a scraper with the token or address.

Closed by default: with neither IAM_METRICS_TOKEN nor IAM_METRICS_ALLOWED_NETWORKS set it answers 403 to everyone.
With one or both set, a request must pass each that is set, else 403; no metric is ever shown to anyone else.
"""

from __future__ import annotations

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY

from iam_console.callers import client_ip
from iam_console.health import database_state, redis_state
from iam_console.metrics import processes


class AvailabilityCollector:
    """Whether PostgreSQL and Redis answer, checked when scraped (what every process would say alike)."""

    def collect(self):
        for name, state in (("database", database_state()), ("redis", redis_state())):
            gauge = GaugeMetricFamily(f"iam_{name}_up", f"1 when {name} answered this scrape's check, else 0.")
            gauge.add_metric([], 1.0 if state == "ok" else 0.0)
            yield gauge


class _ThisProcess:
    """Without a shared folder (a single process): this process's own metrics."""

    def collect(self):
        yield from REGISTRY.collect()


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    path = processes.multiprocess_path()
    if path:
        multiprocess.MultiProcessCollector(registry, path=path)
    else:
        registry.register(_ThisProcess())
    registry.register(AvailabilityCollector())
    return registry


def is_open() -> bool:
    return bool(settings.IAM_METRICS_TOKEN or settings.IAM_METRICS_ALLOWED_NETWORKS)


def _token_ok(request: HttpRequest) -> bool:
    expected = settings.IAM_METRICS_TOKEN
    if not expected:
        return True
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode())


def _network_ok(request: HttpRequest) -> bool:
    networks = settings.IAM_METRICS_ALLOWED_NETWORKS
    if not networks:
        return True
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in networks)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not is_open():
        return HttpResponse("The metrics are closed: set IAM_METRICS_TOKEN or IAM_METRICS_ALLOWED_NETWORKS to open "
                            "them to a scraper.\n", status=403, content_type="text/plain")
    if not (_network_ok(request) and _token_ok(request)):
        response = HttpResponse("Access to the metrics needs their bearer token from an allowed network.\n",
                                status=403, content_type="text/plain")
        if settings.IAM_METRICS_TOKEN:
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
