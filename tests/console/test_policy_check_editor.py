"""The policy editor's "Check no new access": offered beside live validation on the new-version page, with the
policy's versions to compare with (default first), its script served locally and no inline script."""

from __future__ import annotations

import json

import pytest

from policies.services import managed
from tests.policies.conftest import allow, document
from tests.sts.conftest import make_role  # noqa: F401

pytestmark = pytest.mark.django_db
ARN = "arn:aws:iam::123456789012:policy/Reports"
READ = document(allow("s3:GetObject", "arn:aws:s3:::reports/*"))
READ_LIST = document(allow(["s3:GetObject", "s3:ListBucket"], "arn:aws:s3:::reports/*"))


@pytest.fixture
def reports(root_caller):
    managed.create_policy(caller=root_caller, policy_name="Reports", policy_document=READ)
    managed.create_policy_version(caller=root_caller, policy_arn=ARN, policy_document=READ_LIST)  # v2, not default


def test_the_new_version_page_offers_the_check_against_each_version_default_first(root_console, reports):
    body = root_console.get(f"/policies/new-version/{ARN}").content.decode()
    assert "data-no-new-access" in body and 'data-check-url="/api/v1/policy-checks/no-new-access"' in body
    assert '<option value="v1">v1 (default)</option><option value="v2">v2</option>' in body
    assert "/static/js/policy_check.js" in body and "<script>" not in body
    data = body.split('<script id="comparable-versions" type="application/json">', 1)[1].split("</script>", 1)[0]
    versions = json.loads(data)
    assert [(v["version_id"], v["default"]) for v in versions] == [("v1", True), ("v2", False)]
    assert json.loads(versions[0]["document"]) == json.loads(READ)


def test_a_caller_who_may_not_read_the_versions_is_not_offered_the_check(user_console, root_caller, reports):
    from directory.services import inline

    user, client = user_console("editor")
    inline.put_user_policy(caller=root_caller, user_name="editor", policy_name="edit", policy_document=document(
        allow(["iam:GetPolicy", "iam:GetPolicyVersion", "iam:CreatePolicyVersion"])))
    page = client.get(f"/policies/new-version/{ARN}")
    assert page.status_code == 200
    assert "data-no-new-access" not in page.content.decode()


def test_the_check_the_page_makes_answers_the_counterexample(root_console, reports):
    """The request policy_check.js sends, with the console's session: the draft against the chosen version."""
    token = root_console.get(f"/policies/new-version/{ARN}").cookies["csrftoken"].value
    response = root_console.post("/api/v1/policy-checks/no-new-access", json.dumps({
        "new_policy_document": READ_LIST, "existing_policy_document": READ, "policy_type": "IDENTITY_POLICY"}),
        content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
    assert response.json()["result"] == "FAIL"
    assert response.json()["counterexample"]["action"] == "s3:ListBucket"


def test_an_inline_policy_is_checked_against_its_saved_document_and_a_new_one_offers_nothing(root_console, root_caller,
                                                                                             make_user):
    from directory.services import inline

    make_user("ana")
    inline.put_user_policy(caller=root_caller, user_name="ana", policy_name="reports", policy_document=READ)
    body = root_console.get("/users/ana/inline-policies/reports/").content.decode()
    assert "data-no-new-access" in body and '<option value="the saved policy">The saved policy</option>' in body
    data = body.split('<script id="comparable-versions" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert json.loads(json.loads(data)[0]["document"]) == json.loads(READ)
    assert "data-no-new-access" not in root_console.get("/users/ana/add-inline-policy/").content.decode()


def test_a_role_inline_policy_is_checked_against_its_saved_document(root_console, root_caller,
                                                                    make_role):  # noqa: F811
    from directory.services import role_policies

    make_role("deployer", document({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                    "Action": "sts:AssumeRole"}))
    role_policies.put_role_policy(caller=root_caller, role_name="deployer", policy_name="reports",
                                  policy_document=READ)
    body = root_console.get("/roles/deployer/inline-policies/reports/").content.decode()
    assert "data-no-new-access" in body and "The saved policy" in body
