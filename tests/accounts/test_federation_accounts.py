"""Identity providers are per account: the same issuer may be trusted by several accounts, each through its own
provider, and a token is checked against the provider of the account whose role it asks for."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from directory.services import roles
from iam_console.errors import AccessDenied, InvalidIdentityToken, NoSuchEntity
from sts.federation import oidc_providers
from sts.federation.web_identity import assume_role_with_web_identity
from tests.federation.conftest import web_identity_trust

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_role(issuer, make_account):
    member = make_account("Member")
    provider = oidc_providers.create_open_id_connect_provider(caller=member.caller, url=issuer.url,
                                                              client_id_list=[issuer.client_id])
    role = roles.create_role(caller=member.caller, role_name="ci-deploy",
                             assume_role_policy_document=web_identity_trust(provider.arn, issuer.host_path))
    return member, provider, role


def test_a_token_is_checked_against_the_provider_of_the_roles_account(anonymous, issuer, member_role):
    member, provider, role = member_role
    assert provider.arn == f"arn:aws:iam::{member.id}:oidc-provider/{issuer.host_path}"
    result = assume_role_with_web_identity(caller=anonymous, role_arn=role.arn, role_session_name="build-1",
                                           web_identity_token=issuer.token())
    assert result.assumed.arn == f"arn:aws:sts::{member.id}:assumed-role/ci-deploy/build-1"
    # The exchange is on record in the account the identity came into.
    assert AuditEvent.objects.get(event_name="AssumeRoleWithWebIdentity", outcome="Success").account_id == member.id


def test_the_management_account_without_a_provider_does_not_trust_the_issuer(anonymous, issuer, member_role,
                                                                              root_caller):
    member, provider, _ = member_role
    roles.create_role(caller=root_caller, role_name="ci-deploy",
                      assume_role_policy_document=web_identity_trust(provider.arn.replace(member.id, "123456789012"),
                                                                     issuer.host_path))
    with pytest.raises(InvalidIdentityToken):
        assume_role_with_web_identity(caller=anonymous, role_arn="arn:aws:iam::123456789012:role/ci-deploy",
                                      role_session_name="build-1", web_identity_token=issuer.token())


def test_a_provider_is_its_accounts_own(member_role, root_caller):
    _, provider, _ = member_role
    assert oidc_providers.list_open_id_connect_providers(caller=root_caller) == []
    with pytest.raises(NoSuchEntity):
        oidc_providers.get_open_id_connect_provider(caller=root_caller, open_id_connect_provider_arn=provider.arn)
    # The same issuer can be registered by the management account too: providers are unique per account.
    mine = oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://" + provider.url,
                                                          client_id_list=["x"])
    assert mine.arn.replace("123456789012", provider.account_id) == provider.arn


def test_a_role_of_an_account_the_directory_does_not_hold_is_refused(anonymous, issuer, member_role):
    with pytest.raises((AccessDenied, InvalidIdentityToken)):
        assume_role_with_web_identity(caller=anonymous, role_arn="arn:aws:iam::210987654321:role/ci-deploy",
                                      role_session_name="build-1", web_identity_token=issuer.token())
