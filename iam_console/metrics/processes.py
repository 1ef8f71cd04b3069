"""Multi-process metrics: where each process keeps its values, and clearing what dead processes left behind."""

from __future__ import annotations

import logging
import os
import re
import socket
from pathlib import Path

from prometheus_client import values

from iam_console.embedded import process_exists

logger = logging.getLogger(__name__)

_state: dict[str, str] = {}


def _host() -> str:
    # prometheus_client splits file names at "_": the host part must hold none.
    return re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:64] or "host"


def process_identifier() -> str:
    """Unique across the containers that share one metrics folder: host name and process id."""
    return f"{_host()}-{os.getpid()}"


def metrics_dir() -> Path | None:
    """The shared metrics folder: IAM_METRICS_DIR, else the data folder's metrics/. None when it cannot be used."""
    from django.conf import settings

    configured = getattr(settings, "IAM_METRICS_DIR", None)
    if not configured:
        return None
    path = Path(configured)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        logger.warning("metrics are kept per process: the metrics folder %s cannot be created (%s)", path, error)
        return None
    return path if os.access(path, os.W_OK) else None


def configure() -> None:
    """Switch prometheus_client to multi-process mode on the shared folder, before any metric is created."""
    if _state:
        return
    path = metrics_dir()
    if path is None:
        _state["mode"] = "single"
        return
    clear_dead_processes(path)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    values.ValueClass = values.MultiProcessValue(process_identifier)
    _state.update(mode="multi", path=str(path))


def multiprocess_path() -> str | None:
    return _state.get("path")


def clear_dead_processes(path: Path | None = None) -> int:
    """Delete the files of this host's processes that are no longer running (a restart's leftovers).

    Counters of dead processes are kept by prometheus_client's design until their files go; removing them at
    start-up makes every total start again from zero, which Prometheus's rate() reads as a counter reset."""
    path = path or metrics_dir()
    if path is None:
        return 0
    prefix = _host() + "-"
    removed = 0
    for file in path.glob("*.db"):
        identifier = file.stem.rsplit("_", 1)[-1]
        if not identifier.startswith(prefix):
            continue
        pid = identifier[len(prefix):]
        if pid.isdigit() and not process_exists(int(pid)):
            file.unlink(missing_ok=True)
            removed += 1
    return removed

