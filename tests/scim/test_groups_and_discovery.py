"""SCIM /Groups with Okta's and Entra ID's membership PATCHes, the discovery endpoints, and who may call."""

from __future__ import annotations

import pytest

from identitystore.models import WorkforceGroup, WorkforceMembership
from identitystore.services.scim_tokens import revoke_scim_token
from tests.scim.conftest import ScimClient, okta_user

pytestmark = pytest.mark.django_db
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def make_users(scim, count):
    return [scim.post("Users", okta_user(user_name=f"p{n}@example.com", external_id=f"x{n}")).json()["id"]
            for n in range(count)]


def members_of(scim, group_id):
    return sorted(member["value"] for member in scim.get(f"Groups/{group_id}").json().get("members", []))


def test_okta_pushes_a_group_and_changes_its_members(scim):
    alice, bob, carol = make_users(scim, 3)
    created = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                   "displayName": "Test SCIMv2", "members": [{"value": alice}]})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    # Okta: "Update a specific group membership", add and remove by filtered path.
    answer = scim.patch(f"Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": bob, "display": "bob"}, {"value": carol}]},
        {"op": "remove", "path": f'members[value eq "{alice}"]'}]})
    assert answer.status_code == 204, answer.content
    assert members_of(scim, group_id) == sorted([bob, carol])
    # Okta: rename with a path-less replace.
    renamed = scim.patch(f"Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "replace", "value": {"id": group_id, "displayName": "Renamed"}}]})
    assert renamed.status_code == 204, renamed.content
    assert scim.get(f"Groups/{group_id}").json()["displayName"] == "Renamed"


def test_entra_removes_members_with_a_value_list(scim):
    alice, bob = make_users(scim, 2)
    group_id = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "Entra", "externalId": "8aa1a0c0",
                                    "members": [{"value": alice}, {"value": bob}]}).json()["id"]
    answer = scim.patch(f"Groups/{group_id}", {"schemas": [PATCH_OP], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"value": alice}]}]})
    assert answer.status_code == 204, answer.content
    assert members_of(scim, group_id) == [bob]
    found = scim.get("Groups", filter='externalId eq "8aa1a0c0"').json()
    assert [group["id"] for group in found["Resources"]] == [group_id]
    excluded = scim.get(f"Groups/{group_id}?excludedAttributes=members").json()
    assert "members" not in excluded


def test_group_display_names_are_unique_and_a_bad_member_changes_nothing(scim):
    scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Ops"})
    again = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "OPS"})
    assert again.status_code == 409 and again.json()["scimType"] == "uniqueness"
    bad = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "New",
                               "members": [{"value": "not-a-user"}]})
    assert bad.status_code == 400
    assert list(WorkforceGroup.objects.values_list("display_name", flat=True)) == ["Ops"]


def test_put_replaces_members_and_delete_removes_the_group(scim):
    alice, bob = make_users(scim, 2)
    group_id = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                    "displayName": "G", "members": [{"value": alice}]}).json()["id"]
    replaced = scim.put(f"Groups/{group_id}", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                                "displayName": "G2", "members": [{"value": bob}]})
    assert replaced.status_code == 200, replaced.content
    assert [member["value"] for member in replaced.json()["members"]] == [bob]
    assert scim.delete(f"Groups/{group_id}").status_code == 204
    assert not WorkforceMembership.objects.exists()


def test_discovery_endpoints_describe_the_door(scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"] == {"supported": True} and config["filter"]["supported"] is True
    assert config["bulk"]["supported"] is False
    types = scim.get("ResourceTypes").json()
    assert {resource["name"] for resource in types["Resources"]} == {"User", "Group"}
    schemas = scim.get("Schemas").json()
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in {s["id"] for s in schemas["Resources"]}
    assert scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()["name"] == "User"
    assert scim.get("Schemas/urn:nope").status_code == 404


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer scim-unknown.secret", "Basic dXNlcjpwYXNz",
                                           "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/iam/aws4_request"])
def test_no_valid_token_gets_401_in_scims_error_schema(db, authorization):
    client = ScimClient(None)
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    answer = client.request("GET", "Users", **headers)
    assert answer.status_code == 401
    assert answer.json()["status"] == "401" and answer["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused_and_a_wrong_secret_looks_like_an_unknown_token(scim, scim_token, root_caller):
    token_id = scim_token.token.token_id
    forged = ScimClient(f"scim-{token_id}.wrong-secret")
    assert forged.get("Users").status_code == 401
    assert scim.get("Users").status_code == 200
    revoke_scim_token(caller=root_caller, bearer_id=token_id)
    assert scim.get("Users").status_code == 401


def test_an_iam_access_key_cannot_call_scim_and_a_scim_token_cannot_call_iam(scim_token, root_api):
    signed = root_api.get("/scim/v2/Users")
    assert signed.status_code == 401
    from django.test import Client

    query = Client().post("/", data="Action=ListUsers&Version=2010-05-08",
                          content_type="application/x-www-form-urlencoded",
                          HTTP_AUTHORIZATION=f"Bearer {scim_token.bearer}")
    assert query.status_code in (400, 403)
    rest = Client().get("/api/v1/users/", HTTP_AUTHORIZATION=f"Bearer {scim_token.bearer}")
    assert rest.status_code in (401, 403)
    assert scim_token.bearer.encode() not in query.content + rest.content


def test_wrong_tokens_are_counted_and_the_client_backs_off(scim, settings):
    settings.IAM_SIGN_IN_CLIENT_FREE_FAILURES = 3
    guesser = ScimClient("scim-00000000-0000-0000-0000-000000000000.guess")
    answers = [guesser.get("Users") for _ in range(5)]
    assert [answer.status_code for answer in answers[:2]] == [401, 401]
    assert answers[-1].status_code == 429 and int(answers[-1]["Retry-After"]) >= 1
    assert answers[-1].json()["status"] == "429"
    # Held back whatever it presents next, a right token included: the right one is not even checked.
    assert scim.get("Users").status_code == 429
