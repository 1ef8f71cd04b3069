"""The service catalogue in the console: list, register (errors beside their field), detail, remove."""

from __future__ import annotations

import json
import re
from pathlib import Path

from policies.models import ServiceDefinition

CATALOGUE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "docs_service" / "catalogue.json")
                       .read_text())
DEFINITION = json.dumps({key: CATALOGUE[key] for key in ("actions", "resource_types", "condition_keys")})


def register(client, **overrides):
    data = {"service_prefix": "docs", "name": "Document store", "description": "", "definition": DEFINITION,
            **overrides}
    return client.post("/services/register/", data)


def test_register_then_see_actions_by_access_level_then_remove(root_console):
    empty = root_console.get("/services/")
    assert b"No services registered yet." in empty.content and b"Register service" in empty.content
    response = register(root_console)
    assert response.status_code == 302 and response["Location"] == "/services/docs/"
    page = root_console.get("/services/docs/").content.decode()
    for heading in ("Summary", "Actions", "Resource types", "Condition keys", "Definition"):
        assert f">{heading}</h2>" in page
    assert "arn:aws:iam::123456789012:service/docs" in page
    rows = re.findall(r"<tr><td>(\w[\w ]*)</td><td><code>docs:(\w+)</code>", page)
    assert ("Read", "GetDocument") in rows and ("Tagging", "TagDocument") in rows
    assert [level for level, _ in rows] == sorted([level for level, _ in rows], key=[
        "List", "Read", "Write", "Permissions management", "Tagging"].index)  # AWS's order of access levels
    assert b"docs" in root_console.get("/services/").content
    removed = root_console.post("/services/docs/delete/")
    assert removed.status_code == 302 and not ServiceDefinition.objects.exists()


def test_errors_show_beside_their_field_and_nothing_is_written(root_console):
    bad_json = register(root_console, definition="{not json")
    assert bad_json.status_code == 400 and b"This is not valid JSON" in bad_json.content
    bad_prefix = register(root_console, service_prefix="Docs!")
    assert bad_prefix.status_code == 400 and b"lower-case letters" in bad_prefix.content
    bad_level = register(root_console, definition=json.dumps({"actions": [{"name": "A", "access_level": "Own"}]}))
    assert bad_level.status_code == 400 and b"access_level must be one of" in bad_level.content
    assert not ServiceDefinition.objects.exists()


def test_a_user_without_permission_sees_no_catalogue_and_cannot_register(user_console):
    _, client = user_console("dev")
    assert client.get("/services/").status_code == 403
    assert register(client).status_code == 403
    assert not ServiceDefinition.objects.exists()
