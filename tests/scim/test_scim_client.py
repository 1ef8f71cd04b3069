"""The SCIM door driven by scim2-client, as a SCIM client library drives a service provider: discovery, then
create, query, search, replace, patch and delete, every answer checked by the library against the schemas."""

from __future__ import annotations

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_models import EnterpriseUser, Group, GroupMember, PatchOp, PatchOperation, SearchRequest, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(scim_token):
    # The test's transaction must outlive each request: Django's own test client keeps the connection the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    scim = WSGISCIMClient(get_wsgi_application(), base_url="http://testserver/scim/v2",
                          headers={"Authorization": f"Bearer {scim_token.bearer}"},
                          resource_models=[User[EnterpriseUser], Group])
    scim.discover()
    yield scim
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_a_scim_client_library_provisions_people_and_groups(client):
    assert {resource_type.id for resource_type in client.resource_types} == {"User", "Group"}
    assert client.service_provider_config.patch.supported is True
    ScimUser = User[EnterpriseUser]
    created = client.create(ScimUser(user_name="bjensen@example.com", display_name="Barbara Jensen",
                                     external_id="bjensen", emails=[{"value": "bjensen@example.com",
                                                                     "primary": True}]))
    assert created.id and created.user_name == "bjensen@example.com"
    fetched = client.query(ScimUser, created.id)
    assert fetched.display_name == "Barbara Jensen"
    found = client.query(ScimUser, query_parameters=SearchRequest(filter='userName eq "bjensen@example.com"'))
    assert found.total_results == 1 and found.resources[0].id == created.id
    fetched.title = "Tour Guide"
    replaced = client.replace(fetched)
    assert replaced.title == "Tour Guide"
    group = client.create(Group(display_name="Tour Guides", members=[GroupMember(value=created.id)]))
    assert [member.value for member in client.query(Group, group.id).members] == [created.id]
    patch = PatchOp[ScimUser](operations=[PatchOperation[ScimUser](op="replace", path="active", value=False)])
    client.modify(ScimUser, created.id, patch)
    assert client.query(ScimUser, created.id).active is False
    client.delete(Group, group.id)
    client.delete(ScimUser, created.id)
    assert client.query(ScimUser, query_parameters=SearchRequest(filter='userName eq "bjensen@example.com"')
                        ).total_results == 0
