"""The API docs page works under the project's CSP: ReDoc and everything it needs come from this server."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# ReDoc's own "powered by" badge points at its CDN; the CSP blocks it and the page does not need it.
REDOC_BADGE = "cdn.redoc.ly/redoc/logo-mini.svg"


def test_the_api_docs_render_from_this_server_alone(new_page, live_server):
    page = new_page()
    foreign = []
    page.on("response", lambda response: foreign.append(response.url)
            if not response.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.goto("/api/v1/docs/")
    page.get_by_text("IAM Console REST API").first.wait_for(timeout=30_000)
    page.get_by_text("CreateUser").first.wait_for(state="attached", timeout=30_000)  # in the operations menu
    assert foreign == []
    assert [error for error in page.csp_errors if REDOC_BADGE not in error] == []
