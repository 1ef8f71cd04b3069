"""External access findings on the console's findings page: who gets in, whether anyone at all does, and under
which condition."""

from __future__ import annotations

import json

import pytest

from analyzers import evaluation
from analyzers.services import analyzers
from directory.services import roles

pytestmark = pytest.mark.django_db
PAGE = "/access-analyzer/analyzers/account/findings/"


def trust(principal: object, **extra: object) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}]})


def test_the_findings_page_says_who_gets_in_and_under_which_condition(root_console, root_caller, make_account):
    partner = make_account("Partner").account.pk
    roles.create_role(caller=root_caller, role_name="partner", assume_role_policy_document=trust(
        {"AWS": partner}, Condition={"StringEquals": {"sts:ExternalId": "partner-7"}}))
    roles.create_role(caller=root_caller, role_name="anyone", assume_role_policy_document=trust("*"))
    analyzer = analyzers.create_analyzer(caller=root_caller, analyzer_name="account", type="ACCOUNT")
    evaluation.evaluate(analyzer.pk)
    page = root_console.get(PAGE).content.decode()
    assert f"AWS {partner}: sts:AssumeRole; when sts:ExternalId = partner-7" in page
    assert "Public: AWS *: sts:AssumeRole" in page
    assert page.count('name="ids"') == 2
