"""The console as the README and the docs' home page show it: a user list with a few people and their groups."""

from __future__ import annotations

from pathlib import Path

import pytest

from directory.services import groups
from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "images" / "console.png"


def test_users_page_as_the_docs_show_it(new_page, root, root_caller, make_user):
    groups.create_group(caller=root_caller, group_name="engineering")
    for name, path in (("alice", "/engineering/"), ("bob", "/engineering/"), ("carol", "/finance/"),
                       ("deploy-bot", "/automation/")):
        make_user(name, path=path, password="Passw0rd-for-docs!" if name != "deploy-bot" else None,
                  access_key=name == "deploy-bot")
        if path == "/engineering/":
            groups.add_user_to_group(caller=root_caller, group_name="engineering", user_name=name)
    page = new_page()
    sign_in(page, root.user_name, ROOT_PASSWORD)
    page.goto("/users/")
    assert page.get_by_role("link", name="deploy-bot").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    taken = SCREENSHOTS / "docs-console.png"
    page.screenshot(path=str(taken))
    assert taken.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # The committed picture was taken this way (refresh it by copying this file over docs/images/console.png).
    assert DOCS_IMAGE.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
