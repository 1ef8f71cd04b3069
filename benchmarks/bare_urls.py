"""The bare view the hot-path benchmark compares each endpoint with: the same Django settings and middleware, the
same request, and the endpoint's own answer (status, type, body) read from a file, with nothing done to make it.
Served by gunicorn with the same settings as the directory (`benchmarks/hot_paths.py` starts both)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

ANSWERS = json.loads(Path(os.environ["IAM_BENCH_BARE_ANSWERS"]).read_text())


@csrf_exempt
def bare(request, name: str) -> HttpResponse:
    request.body  # noqa: B018 - read the body, as the endpoint does
    answer = ANSWERS[name]
    return HttpResponse(answer["body"], status=answer["status"], content_type=answer["content_type"])


urlpatterns = [path("bare/<str:name>", bare)]
