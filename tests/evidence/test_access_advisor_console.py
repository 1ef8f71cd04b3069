"""The Access Advisor tab of user, group, role and policy pages: the granted services and actions, each with its
last access, right after the requests were made."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from directory.services import attachments, groups, inline
from policies.services import managed
from tests.query.conftest import QueryClient
from tests.sts.conftest import role_arn, trust, user_arn

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
LIST_ROLES = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "iam:ListRoles", "Resource": "*"}]})


def test_user_and_group_tabs_show_what_was_used_and_what_was_not(root_console, make_user, root_caller):
    alice = make_user("alice", access_key=True)
    groups.create_group(caller=root_caller, group_name="readers")
    groups.add_user_to_group(caller=root_caller, group_name="readers", user_name="alice")
    attachments.attach_group_policy(caller=root_caller, group_name="readers", policy_arn=READ_ONLY)
    assert QueryClient(*alice.test_access_key).call("ListUsers").status_code == 200

    page = root_console.get("/users/alice/?tab=access-advisor")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="access-advisor"' in html and "AWS Identity and Access Management" in html
    used = html.split("<code>iam:ListUsers</code>", 1)[1].split("</tr>", 1)[0]
    assert "UTC" in used and alice.arn in used
    unused = html.split("<code>iam:ListRoles</code>", 1)[1].split("</tr>", 1)[0]
    assert "Not accessed" in unused

    group_page = root_console.get("/groups/readers/?tab=access-advisor").content.decode()
    assert "its members&#x27; attempts" in group_page or "its members' attempts" in group_page
    assert alice.arn in group_page


def test_role_and_policy_tabs_name_the_role_whose_session_acted(root_console, make_user, make_role, root_caller):
    bob = make_user("bob", access_key=True)
    policy = managed.create_policy(caller=root_caller, policy_name="list-roles", policy_document=LIST_ROLES)
    make_role("lister", trust(user_arn("bob")), policies=(policy.arn,))
    answer = QueryClient(*bob.test_access_key, service="sts").call("AssumeRole", RoleArn=role_arn("lister"),
                                                                  RoleSessionName="s1")
    found = {e.tag.rsplit("}", 1)[1]: e.text for e in ElementTree.fromstring(answer.content).iter()}
    session = QueryClient(found["AccessKeyId"], found["SecretAccessKey"], session_token=found["SessionToken"])
    assert session.call("ListRoles").status_code == 200

    role_page = root_console.get("/roles/lister/?tab=access-advisor").content.decode()
    assert "<code>iam:ListRoles</code>" in role_page and role_arn("lister") in role_page
    policy_page = root_console.get(f"/policies/detail/{policy.arn}?tab=access-advisor").content.decode()
    assert role_arn("lister") in policy_page.split("<code>iam:ListRoles</code>", 1)[1].split("</tr>", 1)[0]


def test_a_caller_who_may_not_generate_reports_is_told_so(user_console, root_caller):
    _, console = user_console("carol")
    inline.put_user_policy(caller=root_caller, user_name="carol", policy_name="read-users", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"],
                                                 "Resource": "*"}]}))
    page = console.get("/users/carol/?tab=access-advisor")
    assert page.status_code == 200
    html = page.content.decode()
    assert "You may not generate last-accessed reports" in html and 'id="access-advisor"' not in html
