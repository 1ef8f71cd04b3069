"""After federated exchanges, no token, assertion, session secret or session token is stored or logged."""

from __future__ import annotations

import logging

import pytest
from django.apps import apps

from tests.federation.saml_idp import LocalSAMLIdP

pytestmark = pytest.mark.django_db


def _everything_stored() -> str:
    return "\n".join(str(row) for model in apps.get_models() for row in model.objects.values_list())


def test_tokens_assertions_and_session_secrets_appear_nowhere(anonymous, ci_role, issuer, root_caller, caplog):
    import json

    from directory.services import roles
    from sts.federation import saml_providers
    from sts.federation.saml_assume import assume_role_with_saml
    from sts.federation.web_identity import assume_role_with_web_identity

    caplog.set_level(logging.DEBUG)
    token = issuer.token()
    web = assume_role_with_web_identity(caller=anonymous, role_arn=ci_role.arn, role_session_name="build-1",
                                        web_identity_token=token)
    idp = LocalSAMLIdP()
    provider = saml_providers.create_saml_provider(caller=root_caller, name="Corp", saml_metadata_document=idp.metadata())
    role = roles.create_role(caller=root_caller, role_name="engineers", assume_role_policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": provider.arn},
                                                 "Action": "sts:AssumeRoleWithSAML"}]}))
    assertion = idp.response(roles=[f"{role.arn},{provider.arn}"])
    saml = assume_role_with_saml(caller=anonymous, role_arn=role.arn, principal_arn=provider.arn,
                                 saml_assertion=assertion)
    stored, logged = _everything_stored(), caplog.text
    for secret in (token, token.split(".")[2], assertion[:120], web.assumed.secret_access_key,
                   web.assumed.session_token, saml.assumed.secret_access_key, saml.assumed.session_token):
        assert secret not in stored
        assert secret not in logged
