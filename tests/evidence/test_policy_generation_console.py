"""The console's Generate policy flow from a user's or role's page: choose the period, review the generated policy
against what the principal holds today, save it as a new managed policy or a new version, errors beside fields."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from django.utils import timezone

from directory.services import users
from evidence import policy_generation as jobs
from evidence.models import PolicyGenerationJob
from iam_console.callers import Caller
from policies.models import ManagedPolicy
from policies.services import managed
from tests.sts.conftest import trust, user_arn

READ_ONLY = ("arn:aws:iam::aws:policy/IAMReadOnlyAccess",)
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:ListGroups", "Resource": "*"}]})


def period(**days) -> dict:
    today = timezone.now().date()
    return {"start_date": (today - timedelta(days=days.get("start", 30))).isoformat(),
            "end_date": (today - timedelta(days=days.get("end", 0))).isoformat()}


def generated_page(console, path: str):
    """Send the period form, let the worker's part run, and open the generation's page."""
    response = console.post(path, period())
    assert response.status_code == 302, response.content.decode()
    job = PolicyGenerationJob.objects.get()
    assert response["Location"] == f"/access-analyzer/policy-generations/{job.job_id}/"
    waiting = console.get(response["Location"])
    assert b"IN_PROGRESS" in waiting.content and b'http-equiv="refresh"' in waiting.content
    assert jobs.run_job(str(job.job_id))
    return job, console.get(response["Location"])


def test_a_users_generated_policy_is_reviewed_against_what_it_holds_and_saved(root_console, make_user):
    alice = make_user("alice", policies=READ_ONLY)
    caller = Caller(principal=alice, via="api")
    users.list_users(caller=caller)
    users.get_user(caller=caller, user_name="alice")

    page = root_console.get("/users/alice/")
    assert b'href="/users/alice/generate-policy/"' in page.content
    form = root_console.get("/users/alice/generate-policy/")
    assert form.status_code == 200 and b'name="start_date"' in form.content

    job, review = generated_page(root_console, "/users/alice/generate-policy/")
    html = review.content.decode()
    assert review.status_code == 200 and "SUCCEEDED" in html
    diff = {action: change for change, action in
            re.findall(r'<tr class="diff-(\w+)"><td><code>(?:− |\+ |&nbsp; )([\w:-]+)</code>', html)}
    assert diff["iam:ListUsers"] == diff["iam:GetUser"] == "kept"
    assert diff["iam:ListRoles"] == "removed"  # granted by IAMReadOnlyAccess, not used
    assert "added" not in diff.values()

    saved = root_console.post(review.request["PATH_INFO"], {"target": "new", "policy_name": "alice-least",
                                                             "path": "/generated/"})
    policy = ManagedPolicy.objects.get(policy_name="alice-least")
    assert saved.status_code == 302 and saved["Location"].endswith(f"/policies/detail/{policy.arn}")
    document = json.loads(policy.versions.get().document)
    assert document["Statement"][0]["Action"] == ["iam:GetUser", "iam:ListUsers"]
    assert policy.path == "/generated/"


def test_save_errors_are_shown_beside_their_fields_and_a_version_can_be_added(root_console, root_caller,
                                                                             make_user):
    alice = make_user("alice", policies=READ_ONLY)
    users.list_users(caller=Caller(principal=alice, via="api"))
    existing = managed.create_policy(caller=root_caller, policy_name="team-reader", policy_document=DOCUMENT)
    job, review = generated_page(root_console, "/users/alice/generate-policy/")
    path = review.request["PATH_INFO"]
    assert existing.arn.encode() in review.content  # offered as a policy to add a version to

    nameless = root_console.post(path, {"target": "new", "policy_name": ""})
    assert nameless.status_code == 400
    assert re.search(r'id="field-policy_name">.*?Name the new policy', nameless.content.decode(), re.S)
    taken = root_console.post(path, {"target": "new", "policy_name": "team-reader"})
    assert taken.status_code == 400
    assert re.search(r'class="field has-error[^"]*" id="field-policy_name"', taken.content.decode())
    no_policy = root_console.post(path, {"target": "version"})
    assert re.search(r'class="field has-error[^"]*" id="field-policy_arn"', no_policy.content.decode())

    added = root_console.post(path, {"target": "version", "policy_arn": existing.arn, "set_as_default": "on"})
    assert added.status_code == 302
    existing.refresh_from_db()
    assert existing.default_version_id == "v2"
    assert json.loads(existing.versions.get(version_id="v2").document)["Statement"][0]["Action"] == ["iam:ListUsers"]


def test_a_period_aws_refuses_is_shown_beside_its_field(root_console, make_user):
    make_user("alice")
    future = root_console.post("/users/alice/generate-policy/", period(start=-2, end=-3))
    assert future.status_code == 400
    assert re.search(r'class="field has-error[^"]*" id="field-start_date"', future.content.decode())
    too_long = root_console.post("/users/alice/generate-policy/", period(start=120, end=1))
    assert too_long.status_code == 400
    assert re.search(r'class="field has-error[^"]*" id="field-end_date"', too_long.content.decode())
    assert not PolicyGenerationJob.objects.exists()


def test_a_role_with_nothing_used_gets_no_policy(root_console, make_user, make_role):
    make_user("bob")
    make_role("idle", trust(user_arn("bob")), policies=READ_ONLY)
    assert b'href="/roles/idle/generate-policy/"' in root_console.get("/roles/idle/").content
    job, review = generated_page(root_console, "/roles/idle/generate-policy/")
    assert b"was allowed nothing in the period" in review.content and b'name="target"' not in review.content


def test_a_user_without_permission_is_refused(user_console):
    alice, console = user_console("alice", policies=READ_ONLY)
    refused = console.post("/users/alice/generate-policy/", period())
    assert refused.status_code == 403
    assert not PolicyGenerationJob.objects.exists()


def test_a_policy_too_large_for_one_is_saved_as_numbered_policies(root_console, make_user):
    alice = make_user("alice", policies=READ_ONLY)
    users.list_users(caller=Caller(principal=alice, via="api"))
    job, review = generated_page(root_console, "/users/alice/generate-policy/")
    job.refresh_from_db()
    many = [f"ReadSomethingWithALongName{index:04d}" for index in range(400)]
    job.result = {**job.result, "statements": [{"service": "docs", "actions": many, "resources": None}]}
    job.save(update_fields=["result"])
    path = review.request["PATH_INFO"]
    page = root_console.get(path).content.decode()
    assert 'id="generated-policy-2"' in page and "Policy 1 of" in page

    refused = root_console.post(path, {"target": "version", "policy_arn": READ_ONLY[0]})
    assert refused.status_code == 400
    saved = root_console.post(path, {"target": "new", "policy_name": "docs-reader"})
    assert saved.status_code == 302
    names = sorted(ManagedPolicy.objects.filter(policy_name__startswith="docs-reader").values_list(
        "policy_name", flat=True))
    assert names[:2] == ["docs-reader", "docs-reader-2"]
    saved_actions = [action for policy in ManagedPolicy.objects.filter(policy_name__startswith="docs-reader")
                     for statement in json.loads(policy.versions.get().document)["Statement"]
                     for action in statement["Action"]]
    assert sorted(saved_actions) == sorted(f"docs:{name}" for name in many)
