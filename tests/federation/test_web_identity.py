"""AssumeRoleWithWebIdentity against a real issuer: verified tokens get sessions; every hostile token fails closed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest

from audit.models import AuditEvent
from directory.services import roles
from iam_console.errors import (
    AccessDenied,
    ExpiredTokenException,
    IDPCommunicationError,
    InvalidIdentityToken,
    ValidationError,
)
from sts.federation import oidc_providers
from sts.federation.web_identity import assume_role_with_web_identity
from sts.models import RoleSession
from sts.principals import RoleSessionPrincipal
from tests.federation.conftest import web_identity_trust
from tests.federation.issuer import SigningKey

pytestmark = pytest.mark.django_db(transaction=False)


def assume(anonymous, role, token, **kwargs):
    return assume_role_with_web_identity(caller=anonymous, role_arn=role.arn, role_session_name="build-42",
                                         web_identity_token=token, **kwargs)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_rsa_signed_token_gets_role_credentials_in_aws_shape(anonymous, ci_role, issuer, provider):
    result = assume(anonymous, ci_role, issuer.token())
    assert result.assumed.access_key_id.startswith("ASIA")
    assert result.identity.principal_name == "repo:acme/app:ref:refs/heads/main"
    assert result.audience == "sts.amazonaws.com"
    assert result.provider == issuer.url
    assert result.assumed.arn == "arn:aws:sts::123456789012:assumed-role/ci-deploy/build-42"
    session = RoleSession.objects.get(access_key_id=result.assumed.access_key_id)
    assert session.federated_provider == provider.arn and session.source_user is None
    context = RoleSessionPrincipal(session).condition_keys(session.issued_at)
    assert context["aws:FederatedProvider"] == provider.arn


def test_ec_signed_token_is_accepted(anonymous, ci_role, issuer):
    result = assume(anonymous, ci_role, issuer.token(issuer.key("EC")))
    assert result.assumed.session_token


def test_keys_are_cached_between_calls_and_refetched_when_the_issuer_rotates(anonymous, ci_role, issuer):
    assume(anonymous, ci_role, issuer.token())
    assume(anonymous, ci_role, issuer.token())
    assert issuer.jwks_fetches == 1
    new_key = issuer.rotate()
    assert assume(anonymous, ci_role, issuer.token(new_key)).assumed.access_key_id
    assert issuer.jwks_fetches == 2


def test_rotation_refetch_is_rate_limited(anonymous, ci_role, issuer, settings):
    settings.IAM_FEDERATION_JWKS_REFRESH_SECONDS = 3600
    assume(anonymous, ci_role, issuer.token())
    unknown = SigningKey("never-published", "RSA")
    for _ in range(3):
        with pytest.raises(InvalidIdentityToken):
            assume(anonymous, ci_role, issuer.token(unknown))
    assert issuer.jwks_fetches == 1


def test_subject_outside_the_trust_condition_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(AccessDenied, match="Not authorized to perform sts:AssumeRoleWithWebIdentity"):
        assume(anonymous, ci_role, issuer.token(sub="repo:evil/app:ref:refs/heads/main"))


def test_audience_not_registered_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(InvalidIdentityToken, match="audience"):
        assume(anonymous, ci_role, issuer.token(aud="some-other-client"))


def test_unknown_issuer_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(InvalidIdentityToken, match="No OpenIDConnect provider found"):
        assume(anonymous, ci_role, issuer.token(iss="https://idp.example.com"))


def test_alg_none_is_refused(anonymous, ci_role, issuer):
    header = _b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).encode())
    token = f"{header}.{_b64(json.dumps(issuer.claims()).encode())}."
    with pytest.raises(InvalidIdentityToken, match="algorithm"):
        assume(anonymous, ci_role, token)


def test_hmac_token_keyed_with_the_issuers_public_key_is_refused(anonymous, ci_role, issuer):
    # The classic key-confusion attack: HS256 "signed" with the RSA public key the issuer publishes.
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = _b64(json.dumps(issuer.claims()).encode())
    signature = hmac.new(issuer.key("RSA").public_pem(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    with pytest.raises(InvalidIdentityToken, match="algorithm"):
        assume(anonymous, ci_role, f"{header}.{payload}.{_b64(signature)}")


def test_token_signed_by_a_foreign_key_with_a_known_kid_is_refused(anonymous, ci_role, issuer):
    foreign = SigningKey("rsa-1", "RSA")  # same kid as the issuer's key, another issuer's key material
    with pytest.raises(InvalidIdentityToken, match="signature"):
        assume(anonymous, ci_role, issuer.token(foreign))


def test_rsa_key_cannot_verify_an_ec_algorithm_header(anonymous, ci_role, issuer):
    ec_key = SigningKey("rsa-1", "EC")  # claims the RSA key's kid but signs ES256
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, ci_role, issuer.token(ec_key))


def test_expired_token_is_refused_with_expired_token_exception(anonymous, ci_role, issuer):
    now = int(time.time())
    with pytest.raises(ExpiredTokenException):
        assume(anonymous, ci_role, issuer.token(iat=now - 7200, exp=now - 3600))


def test_token_not_yet_valid_is_refused(anonymous, ci_role, issuer):
    now = int(time.time())
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, ci_role, issuer.token(nbf=now + 3600))


def test_token_without_exp_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, ci_role, issuer.token(exp=None))


def test_oversized_token_is_refused_before_any_fetch(anonymous, ci_role, issuer):
    with pytest.raises(ValidationError, match="between 4 and 20000"):
        assume(anonymous, ci_role, issuer.token(padding="x" * 20000))
    assert issuer.jwks_fetches == 0


def test_garbage_token_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, ci_role, "not.a.jwt")


def test_hanging_jwks_host_fails_with_idp_communication_error(anonymous, ci_role, issuer, settings):
    settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS = 1
    issuer.hang_seconds = 3
    started = time.monotonic()
    with pytest.raises(IDPCommunicationError):
        assume(anonymous, ci_role, issuer.token())
    assert time.monotonic() - started < 2.9  # gave up on its own timeout, not the server's


def test_default_refuses_private_issuers(anonymous, ci_role, issuer, settings):
    settings.IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS = False
    with pytest.raises(IDPCommunicationError, match="private or reserved address"):
        assume(anonymous, ci_role, issuer.token())
    assert issuer.jwks_fetches == 0


def test_trusting_the_account_root_does_not_admit_a_federated_identity(anonymous, issuer, provider, root_caller):
    role = roles.create_role(caller=root_caller, role_name="account-trust", assume_role_policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                                                 "Action": "sts:AssumeRoleWithWebIdentity"}]}))
    with pytest.raises(AccessDenied):
        assume(anonymous, role, issuer.token())


def test_unknown_role_is_refused_like_an_untrusting_one(anonymous, issuer, provider):
    class Missing:
        arn = "arn:aws:iam::123456789012:role/missing"
    with pytest.raises(AccessDenied, match="Not authorized"):
        assume(anonymous, Missing, issuer.token())


def test_session_tags_from_the_claim_need_tag_session_in_the_trust_policy(anonymous, ci_role, issuer, provider,
                                                                         root_caller):
    tags = {"https://aws.amazon.com/tags": {"principal_tags": {"team": ["payments"]}, "transitive_tag_keys": ["team"]}}
    with pytest.raises(AccessDenied, match="sts:TagSession"):
        assume(anonymous, ci_role, issuer.token(**tags))
    roles.update_assume_role_policy(caller=root_caller, role_name="ci-deploy", policy_document=web_identity_trust(
        provider.arn, issuer.host_path, actions=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]))
    result = assume(anonymous, ci_role, issuer.token(**tags))
    assert result.assumed.session.session_tags == {"team": "payments"}
    assert result.assumed.session.transitive_tag_keys == ["team"]


def test_amr_condition_key_is_tested(anonymous, issuer, provider, root_caller):
    trust = web_identity_trust(provider.arn, issuer.host_path,
                               extra_condition={"ForAnyValue:StringEquals": {f"{issuer.host_path}:amr": "mfa"}})
    role = roles.create_role(caller=root_caller, role_name="needs-mfa", assume_role_policy_document=trust)
    with pytest.raises(AccessDenied):
        assume(anonymous, role, issuer.token(amr=["pwd"]))
    assert assume(anonymous, role, issuer.token(amr=["pwd", "mfa"])).assumed.access_key_id


def test_duration_above_the_roles_maximum_is_refused(anonymous, ci_role, issuer):
    with pytest.raises(ValidationError, match="MaxSessionDuration"):
        assume(anonymous, ci_role, issuer.token(), duration_seconds=7200)


def test_audit_names_the_federated_identity_and_never_the_token(anonymous, ci_role, issuer, provider):
    token = issuer.token()
    assume(anonymous, ci_role, token)
    event = AuditEvent.objects.get(event_name="AssumeRoleWithWebIdentity", outcome=AuditEvent.Outcome.SUCCESS)
    assert event.actor_arn == f"{provider.arn}:repo:acme/app:ref:refs/heads/main"
    assert event.event_source == "sts.amazonaws.com"
    assert token not in json.dumps(event.request_parameters)
    assert token.split(".")[2] not in json.dumps(event.response_elements)


def test_refusals_are_audited(anonymous, ci_role, issuer):
    with pytest.raises(InvalidIdentityToken):
        assume(anonymous, ci_role, issuer.token(aud="other"))
    event = AuditEvent.objects.get(event_name="AssumeRoleWithWebIdentity")
    assert event.error_code == "InvalidIdentityToken" and event.actor_arn == "anonymous"


def test_deleted_provider_no_longer_admits_tokens(anonymous, ci_role, issuer, provider, root_caller):
    oidc_providers.delete_open_id_connect_provider(caller=root_caller, open_id_connect_provider_arn=provider.arn)
    with pytest.raises(InvalidIdentityToken, match="No OpenIDConnect provider"):
        assume(anonymous, ci_role, issuer.token())


def test_pyjwt_rejects_nothing_we_accept_without_a_key():
    # Guard for the library itself: decoding without a key and with verification on must fail.
    token = jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256")
    with pytest.raises(jwt.PyJWTError):
        jwt.decode(token, algorithms=["RS256"], key="")
