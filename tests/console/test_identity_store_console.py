"""The identity store in the console: people and groups created, searched, edited, deactivated and deleted,
memberships, SCIM tokens issued (shown once) and revoked; refusals for a user without the permission."""

from __future__ import annotations

import pytest

from identitystore.models import ScimToken, WorkforceGroup, WorkforceMembership, WorkforceUser
from identitystore.services.scim_tokens import token_digest

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def create_person(console, user_name="jdoe", **extra):
    data = {"user_name": user_name, "display_name": "John Doe", "given_name": "John", "family_name": "Doe",
            "email": f"{user_name}@example.com", **extra}
    return console.post("/identity-store/people/create/", data)


def test_people_are_created_searched_edited_deactivated_and_deleted(root_console):
    created = create_person(root_console)
    assert created.status_code == 302
    person = WorkforceUser.objects.get()
    assert created["Location"] == f"/identity-store/people/{person.user_id}/"
    assert person.profile["Emails"][0]["Value"] == "jdoe@example.com"
    page = root_console.get(created["Location"])
    assert "jdoe@example.com" in text(page) and "Deactivate" in text(page)
    listed = root_console.get("/identity-store/people/?q=DOE")
    assert "jdoe" in text(listed) and "1 in all" in text(listed)
    assert "jdoe" not in text(root_console.get("/identity-store/people/?q=nobody"))
    duplicate = create_person(root_console, user_name="JDOE")
    assert duplicate.status_code == 400 and "Duplicate" in text(duplicate)
    edited = root_console.post(f"/identity-store/people/{person.user_id}/edit/",
                               {"user_name": "john", "display_name": "Johnny", "given_name": "", "family_name": "",
                                "email": ""})
    assert edited.status_code == 302
    person.refresh_from_db()
    assert person.user_name == "john" and "Name" not in person.profile and "Emails" not in person.profile
    root_console.post(f"/identity-store/people/{person.user_id}/", {"action": "deactivate"})
    person.refresh_from_db()
    assert person.active is False
    root_console.post(f"/identity-store/people/{person.user_id}/", {"action": "delete"})
    assert not WorkforceUser.objects.exists()


def test_groups_and_memberships(root_console):
    create_person(root_console)
    person = WorkforceUser.objects.get()
    made = root_console.post("/identity-store/groups/", {"display_name": "Finance", "description": "Money"})
    assert made.status_code == 302
    group = WorkforceGroup.objects.get()
    root_console.post(made["Location"], {"action": "add", "user_name": "JDOE"})
    assert WorkforceMembership.objects.filter(group=group, user=person).exists()
    assert "Finance" in text(root_console.get(f"/identity-store/people/{person.user_id}/"))
    missing = root_console.post(made["Location"], {"action": "add", "user_name": "nobody"}, follow=True)
    assert "not found" in text(missing).lower()
    membership = WorkforceMembership.objects.get()
    root_console.post(made["Location"], {"action": "remove", "membership_id": membership.membership_id})
    assert not WorkforceMembership.objects.exists()
    again = root_console.post("/identity-store/groups/", {"display_name": "FINANCE"})
    assert again.status_code == 400
    root_console.post(made["Location"], {"action": "delete"})
    assert not WorkforceGroup.objects.exists()


def test_a_scim_token_is_shown_once_and_revoked(root_console):
    page = root_console.get("/identity-store/scim/")
    assert "/scim/v2/" in text(page) and "No tokens yet" in text(page)
    issued = root_console.post("/identity-store/scim/", {"action": "issue"})
    assert issued.status_code == 200 and issued["Cache-Control"] == "no-store"
    token = ScimToken.objects.get()
    bearer = next(word for word in text(issued).replace("<", " ").replace(">", " ").split()
                  if word.startswith("scim-"))
    assert token_digest(bearer.split(".", 1)[1]) == token.digest
    assert bearer not in text(root_console.get("/identity-store/scim/"))
    root_console.post("/identity-store/scim/", {"action": "revoke", "token_id": token.token_id})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_user_without_the_permission_is_refused_and_sees_no_menu_entry(user_console):
    _, console = user_console("alice")
    assert "Identity store" not in text(console.get("/"))
    for path in ("/identity-store/people/", "/identity-store/groups/", "/identity-store/scim/"):
        assert console.get(path).status_code == 403
    assert console.post("/identity-store/scim/", {"action": "issue"}).status_code == 403
    assert not ScimToken.objects.exists()
