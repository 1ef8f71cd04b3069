"""SCIM /Users as Okta and Entra ID drive it: their recorded request shapes, filters, PATCH quirks, deactivation."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from identitystore.deprovisioning import person_deprovisioned
from identitystore.models import WorkforceUser
from tests.scim.conftest import entra_user, okta_user

pytestmark = pytest.mark.django_db


def test_okta_creates_a_user_and_finds_it_by_user_name(scim):
    missing = scim.get("Users", filter='userName eq "isabella@example.com"', startIndex=1, count=100)
    assert missing.status_code == 200 and missing.json()["totalResults"] == 0
    created = scim.post("Users", okta_user())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "isabella@example.com" and body["externalId"] == "00u1abcd"
    assert body["active"] is True and "password" not in body
    assert created["Location"].endswith(f"/scim/v2/Users/{body['id']}")
    assert created["Content-Type"].startswith("application/scim+json")
    found = scim.get("Users", filter='userName eq "ISABELLA@example.com"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == body["id"]
    assert found["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    user = WorkforceUser.objects.get()
    assert user.profile["Emails"] == [{"Value": "isabella@example.com", "Type": "work", "Primary": True}]
    event = AuditEvent.objects.get(event_name="CreateUser")
    assert event.actor_arn.startswith("arn:aws:identitystore::") and "scim-token/" in event.actor_arn


def test_duplicate_user_name_is_409_uniqueness_and_changes_nothing(scim):
    scim.post("Users", okta_user())
    again = scim.post("Users", okta_user(user_name="Isabella@Example.com", external_id="other"))
    assert again.status_code == 409
    assert again.json() == {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "status": "409",
                            "scimType": "uniqueness", "detail": "Duplicate UserName"}
    assert WorkforceUser.objects.count() == 1


def test_okta_patch_without_path_deactivates_and_ends_sessions(scim):
    ended = []
    person_deprovisioned.connect(receiver := lambda sender, user, reason, **kw: ended.append(reason))
    try:
        user_id = scim.post("Users", okta_user()).json()["id"]
        patched = scim.patch(f"Users/{user_id}", {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "value": {"active": False}}]})
    finally:
        person_deprovisioned.disconnect(receiver)
    assert patched.status_code == 200, patched.content
    assert patched.json()["active"] is False
    assert ended == ["deactivated"]
    assert WorkforceUser.objects.get().active is False


def test_okta_put_replaces_the_user(scim):
    user_id = scim.post("Users", okta_user()).json()["id"]
    replaced = scim.put(f"Users/{user_id}", okta_user(name={"givenName": "Bella", "familyName": "Rossi"},
                                                      displayName="Bella Rossi", title="Engineer"))
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["name"] == {"givenName": "Bella", "familyName": "Rossi"}
    assert replaced.json()["title"] == "Engineer"


def test_entra_creates_with_the_enterprise_extension_and_patches_its_way(scim):
    created = scim.post("Users", entra_user())
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    assert created.json()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] == {"department": "Finance"}
    found = scim.get("Users", filter='externalId eq "0a21f0f2-8d2a-4f8e"').json()
    assert found["totalResults"] == 1
    # Entra ID: capitalised ops, a filtered path, string booleans, the manager as a bare id.
    patched = scim.patch(f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
            {"op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
             "value": user_id},
            {"op": "Replace", "path": "active", "value": "False"},
        ]})
    assert patched.status_code == 200, patched.content
    body = patched.json()
    assert body["emails"][0]["value"] == "updatedEmail@microsoft.com"
    assert body["name"]["familyName"] == "updatedFamilyName"
    assert body["active"] is False
    assert body["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"]["value"] == user_id
    removed = scim.patch(f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]})
    assert removed.status_code == 200, removed.content
    assert "manager" not in removed.json().get("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", {})


def test_entra_adds_a_work_email_through_a_filtered_path_that_matches_nothing_yet(scim):
    user_id = scim.post("Users", okta_user(emails=[])).json()["id"]
    patched = scim.patch(f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Add", "path": 'emails[type eq "work"].value', "value": "new@example.com"}]})
    assert patched.status_code == 200, patched.content
    assert patched.json()["emails"] == [{"value": "new@example.com", "type": "work"}]


@pytest.mark.parametrize("query", ['userName sw "isa"', 'userName co "BELLA"', "title pr or userName pr",
                                   'userName eq "isabella@example.com" and active eq true',
                                   'emails[type eq "work"].value eq "isabella@example.com"',
                                   'emails.value eq "isabella@example.com"'])
def test_filters_an_idp_sends(scim, query):
    scim.post("Users", okta_user())
    scim.post("Users", okta_user(user_name="other@example.org", external_id="x2", emails=[]))
    found = scim.get("Users", filter=query)
    assert found.status_code == 200, found.content
    assert "isabella@example.com" in [user["userName"] for user in found.json()["Resources"]]


@pytest.mark.parametrize("query", ['userName eq', 'shoeSize eq "9"', 'userName eq "x") or (1 eq 1',
                                   "userName eq \"x\"; DROP TABLE identitystore_workforceuser; --",
                                   'password eq "x"', "x" * 3000])
def test_bad_and_injected_filters_are_invalid_filter(scim, query):
    answer = scim.get("Users", filter=query)
    assert answer.status_code == 400, answer.content
    assert answer.json()["scimType"] == "invalidFilter"
    assert answer.json()["status"] == "400"


def test_start_index_and_count_page_the_users(scim):
    for index in range(5):
        scim.post("Users", okta_user(user_name=f"u{index}@example.com", external_id=f"e{index}"))
    page = scim.get("Users", startIndex=2, count=2).json()
    assert page["totalResults"] == 5 and page["itemsPerPage"] == 2 and page["startIndex"] == 2
    assert [user["userName"] for user in page["Resources"]] == ["u1@example.com", "u2@example.com"]
    assert scim.get("Users", count=0).json()["Resources"] == []
    assert scim.get("Users", count="ten").json()["scimType"] == "invalidValue"


def test_delete_removes_the_user_and_a_second_delete_is_404(scim):
    user_id = scim.post("Users", okta_user()).json()["id"]
    assert scim.delete(f"Users/{user_id}").status_code == 204
    again = scim.delete(f"Users/{user_id}")
    assert again.status_code == 404 and again.json()["status"] == "404"
    assert scim.get(f"Users/{user_id}").status_code == 404
    assert scim.get("Users/not-an-id").status_code == 400


@pytest.mark.parametrize("raw, scim_type", [
    (b"{not json", "invalidSyntax"),
    (b"[]", "invalidSyntax"),
    (b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "shoeSize": 9}', None),
    (b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}', None),
    (b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a", "emails": ['
     + b",".join(b'{"value": "a%d@example.com"}' % n for n in range(500)) + b"]}", "invalidValue"),
    (b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "a\\u0000b"}', None),
    (b'{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Administrator"}', "invalidValue"),
])
def test_hostile_bodies_get_scim_errors_and_change_nothing(scim, raw, scim_type):
    answer = scim.request("POST", "Users", raw=raw)
    assert answer.status_code == 400, answer.content
    body = answer.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"] and body["status"] == "400"
    if scim_type:
        assert body["scimType"] == scim_type
    assert not WorkforceUser.objects.exists()


def test_a_failed_patch_changes_nothing(scim):
    user_id = scim.post("Users", okta_user()).json()["id"]
    answer = scim.patch(f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "Changed"},
                       {"op": "replace", "path": "userName", "value": "Administrator"}]})
    assert answer.status_code == 400
    assert WorkforceUser.objects.get().display_name == "Isabella Rossi"
    too_many = scim.patch(f"Users/{user_id}", {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "displayName", "value": "x"}] * 101})
    assert too_many.status_code == 400
