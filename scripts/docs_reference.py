"""The documentation's reference pages, generated from the code at build time so that they cannot drift from it:
every setting (iam_console.settings_registry), every REST route (the OpenAPI schema), every Query API action
(the registry against botocore's models), every error code (iam_console.errors and the doors), every metric."""

from __future__ import annotations

import os

GENERATED = "<!-- Generated from the code by scripts/docs_reference.py when the site is built: do not edit. -->\n\n"


def setup_django() -> None:
    """Django's settings without a database or Redis: the reference needs the code, not the data."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iam_console.settings")
    os.environ.setdefault("SECRET_KEY", "documentation-build-only-not-a-secret-0123456789")
    os.environ.setdefault("DATABASE_URL", "postgresql://docs@127.0.0.1:1/docs")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:1/0")
    import django

    django.setup()


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def settings_page() -> str:
    from iam_console.settings_registry import SECTIONS, SETTINGS

    lines = ["# Settings", "", GENERATED.strip(), "",
             "Every setting comes from the environment. A bad value stops start-up with a message naming the "
             "variable and what it expects (for example `IAM_ACCOUNT_ID='1234' is not valid: expected exactly 12 "
             "digits, like an AWS account id`). How to set them: [Configuration](../operating/configuration.md).",
             ""]
    for section in SECTIONS:
        rows = [s for s in SETTINGS if s.section == section]
        if not rows:
            continue
        lines += [f"## {section}", "", "| Variable | Default | Range | Meaning |", "| --- | --- | --- | --- |"]
        lines += [f"| `{s.name}` | {_cell(s.shown_default())} | {_cell(s.shown_range())} | {_cell(s.meaning)} |"
                  for s in rows]
        lines.append("")
    return "\n".join(lines)


def rest_page() -> str:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    lines = ["# REST API routes", "", GENERATED.strip(), "",
             "Every route of the REST API, from its OpenAPI schema (served at `/api/v1/schema/`, browsable at "
             "`/api/v1/docs/`). Each answers with and without its trailing slash. How to call them: "
             "[The REST API](../clients/rest-api.md).", "",
             f"{sum(1 for item in schema['paths'].values() for m in item if m in _METHODS)} operations.", "",
             "| Method | Path | What it does |", "| --- | --- | --- |"]
    for path, item in sorted(schema["paths"].items()):
        for method in _METHODS:
            operation = item.get(method)
            if operation:
                what = (operation.get("summary") or operation.get("description") or "").strip().split("\n")[0]
                lines.append(f"| {method.upper()} | `{path}` | {_cell(what)} |")
    return "\n".join(lines) + "\n"


_METHODS = ("get", "post", "put", "patch", "delete")


def query_page() -> str:
    from iam_console.query import registry

    lines = ["# Query API actions", "", GENERATED.strip(), "",
             "The AWS Query API (IAM 2010-05-08, STS 2011-06-15) answers these actions with the same services as "
             "the console and the REST API. Every other action of botocore's model answers `InvalidAction` "
             "naming it. How to call them: [AWS CLI and boto3](../clients/aws-cli-and-boto3.md).", ""]
    for service, title in (("iam", "IAM"), ("sts", "STS")):
        done, missing = registry.implemented(service), registry.not_implemented(service)
        lines += [f"## {title}: {len(done)} implemented", "", ", ".join(f"`{name}`" for name in done), "",
                  f"## {title}: {len(missing)} not implemented", "",
                  ", ".join(f"`{name}`" for name in missing) or "None.", ""]
    return "\n".join(lines)


def errors_page() -> str:
    from iam_console.query.endpoint import PROTOCOL_ERRORS, query_status
    from iam_console.rest.base import error_codes

    lines = ["# Error codes", "", GENERATED.strip(), "",
             "Every error code the directory answers with, IAM's own, with the HTTP status of each door. The REST "
             "API answers `{\"error\": {\"code\", \"message\", \"details\"?, \"request_id\"}}`; the Query API "
             "answers AWS's `<ErrorResponse>` XML with the same code.", "",
             "| Code | REST status | Query API status | When |", "| --- | --- | --- | --- |"]
    codes = error_codes()
    for code, (statuses, when) in codes.items():
        if code in PROTOCOL_ERRORS:
            query = PROTOCOL_ERRORS[code][0]
        else:
            query = query_status("sts" if code in _STS_ONLY else "iam", code, statuses[0])
        lines.append(f"| `{code}` | {', '.join(str(s) for s in statuses)} | {query} | {_cell(when)} |")
    lines += ["", "## Query API protocol errors", "",
              "Answered by the Query API before any action runs.", "",
              "| Code | HTTP status | When |", "| --- | --- | --- |"]
    lines += [f"| `{code}` | {status} | {_cell(when)} |" for code, (status, when) in sorted(PROTOCOL_ERRORS.items())]
    return "\n".join(lines) + "\n"


# Errors only STS's model declares (the federation calls): their Query status comes from its model.
_STS_ONLY = {"InvalidIdentityToken", "ExpiredTokenException", "IDPRejectedClaim", "IDPCommunicationError",
             "PackedPolicyTooLarge", "RegionDisabledException"}


def metrics_page() -> str:
    from prometheus_client import Counter, Histogram

    from iam_console import metrics

    lines = ["# Metrics", "", GENERATED.strip(), "",
             "What `/metrics` exposes, in Prometheus's text format. How to open it to a scraper: "
             "[Monitoring](../operating/monitoring.md).", "",
             "| Metric | Type | Labels | Meaning |", "| --- | --- | --- | --- |"]
    found = [value for value in vars(metrics).values() if isinstance(value, Counter | Histogram)]
    for metric in sorted(found, key=lambda m: m._name):  # noqa: SLF001 - the metric's own name
        kind = "counter" if isinstance(metric, Counter) else "histogram"
        name = metric._name + ("_total" if kind == "counter" else "")  # noqa: SLF001
        labels = ", ".join(f"`{label}`" for label in metric._labelnames) or "none"  # noqa: SLF001
        lines.append(f"| `{name}` | {kind} | {labels} | {_cell(metric._documentation)} |")  # noqa: SLF001
    lines += ["| `iam_database_up` | gauge | none | 1 when PostgreSQL answered this scrape's check, else 0. |",
              "| `iam_redis_up` | gauge | none | 1 when Redis answered this scrape's check, else 0. |", ""]
    return "\n".join(lines)


PAGES = {
    "reference/settings.md": settings_page,
    "reference/rest-api.md": rest_page,
    "reference/query-api.md": query_page,
    "reference/errors.md": errors_page,
    "reference/metrics.md": metrics_page,
}
