"""A registered service's actions in the policy editor: completed as you type, and a near miss is flagged."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from policies.services import catalogue
from tests.browser.conftest import sign_in
from tests.conftest import ROOT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EXAMPLE = "examples/docs_service/catalogue.json"


def test_registered_actions_complete_and_near_misses_are_marked(new_page, shot, root_caller):
    from pathlib import Path

    definition = json.loads((Path(__file__).resolve().parents[2] / EXAMPLE).read_text())
    catalogue.put_service_definition(caller=root_caller, service_prefix="docs", name=definition["name"],
                                     actions=definition["actions"], resource_types=definition["resource_types"])
    page = new_page()
    sign_in(page, "root", ROOT_PASSWORD)
    page.goto("/policies/create/")
    expect(page.locator(".ace-host .ace_content")).to_be_visible()
    page.locator(".ace-host .ace_content").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text('{\n"Version": "2012-10-17",\n"Statement": [{"Effect": "Allow", "Resource": "*",\n'
                              '"Action": "docs:GetDoc')
    page.keyboard.press("Control+Space")
    popup = page.locator(".ace_autocomplete")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("docs:GetDocument")
    expect(popup).to_contain_text("Read")
    shot(page, "policy-editor-service-completions")
    page.keyboard.press("Escape")
    page.keyboard.insert_text('umnt"}]\n}')
    findings = page.locator("[data-findings]")
    expect(findings).to_contain_text("docs:GetDocument", timeout=5000)  # "Did you mean docs:GetDocument?"
    assert not page.csp_errors
