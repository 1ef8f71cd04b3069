"""Every console page renders for the root user, with the top bar and the stylesheet."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/", "/users/", "/users/create/", "/groups/", "/groups/create/", "/account/password-policy/", "/audit/",
    "/my/security-credentials/", "/change-password/", "/account/password-policy/delete/",
])
def test_page_renders_for_root(root_console, url):
    response = root_console.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/css/console.css" in body
    assert "123456789012" in body
    assert "Sign out" in body
