"""AssumeRole: trust by user, role and account, conditions, MFA, durations, chaining, session policies, audit."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from iam_console.errors import AccessDenied, ValidationError
from policies.authorization import Caller, decide
from sts import mfa
from sts import services as sts
from sts.models import RoleSession
from sts.principals import RoleSessionPrincipal
from tests.sts.conftest import ADMIN, READ_ONLY, ROOT_ARN, allow, deny, document, role_arn, trust, user_arn

pytestmark = pytest.mark.django_db

USER_ARN_ALICE = user_arn("alice")


def assume(user, name="Target", **kwargs) -> sts.AssumedRole:
    caller = kwargs.pop("caller", None) or Caller(principal=user)
    kwargs.setdefault("role_session_name", "work")
    return sts.assume_role(caller=caller, role_arn=role_arn(name), **kwargs)


def allowed(principal, action, resource="*") -> bool:
    context = Caller(principal=principal).condition_context()
    return decide(principal, action, resource, context).allowed


def test_trusted_user_receives_asia_session_credentials(make_user, make_role):
    alice = make_user("alice")
    role = make_role("Target", trust(USER_ARN_ALICE))
    assumed = assume(alice)
    assert assumed.access_key_id.startswith("ASIA") and len(assumed.access_key_id) == 20
    assert len(assumed.secret_access_key) == 40
    assert assumed.assumed_role_id == f"{role.role_id}:work"
    assert assumed.arn == "arn:aws:sts::123456789012:assumed-role/Target/work"
    assert assumed.expiration - assumed.session.issued_at == timedelta(seconds=3600)
    assert assumed.packed_policy_size == 0


def test_secret_and_token_are_never_stored(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    assumed = assume(alice)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {RoleSession._meta.db_table}")  # noqa: S608 - table name from metadata
        row_text = repr(cursor.fetchall())
    assert assumed.secret_access_key not in row_text
    assert assumed.session_token not in row_text
    events = repr(list(AuditEvent.objects.filter(event_name="AssumeRole").values()))
    assert assumed.secret_access_key not in events and assumed.session_token not in events


def test_untrusted_user_is_denied_and_the_attempt_is_audited(make_user, make_role):
    bob = make_user("bob")
    make_role("Target", trust(USER_ARN_ALICE))
    with pytest.raises(AccessDenied, match="User: arn:aws:iam::123456789012:user/bob is not authorized to perform: "
                                           "sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Target"):
        assume(bob)
    event = AuditEvent.objects.get(event_name="AssumeRole")
    assert (event.outcome, event.error_code, event.event_source) == ("Failure", "AccessDenied", "sts.amazonaws.com")
    assert not RoleSession.all_objects.exists()


def test_unknown_role_is_denied_like_an_untrusted_one(make_user):
    alice = make_user("alice")
    with pytest.raises(AccessDenied, match="sts:AssumeRole on resource: arn:aws:iam::123456789012:role/Nope"):
        assume(alice, "Nope")


def test_root_user_may_not_assume_roles(root_caller, make_role):
    make_role("Target", trust(ROOT_ARN))
    with pytest.raises(AccessDenied, match="Roles may not be assumed by root accounts."):
        assume(None, caller=root_caller)


def test_account_trust_needs_the_callers_own_policy_to_allow_sts_assume_role(make_user, make_role, customer_policy,
                                                                              attach):
    alice = make_user("alice")
    make_role("Target", trust(ROOT_ARN))
    with pytest.raises(AccessDenied):
        assume(alice)
    policy = customer_policy("MayAssume", allow("sts:AssumeRole", role_arn("Target")))
    attach("alice", policy.arn)
    assert assume(alice).arn.endswith("assumed-role/Target/work")


def test_account_id_in_principal_is_trust_of_the_account(make_user, make_role, attach):
    alice = make_user("alice")
    make_role("Target", trust("123456789012"))
    with pytest.raises(AccessDenied):
        assume(alice)
    attach("alice", ADMIN)
    assert assume(alice).session.role.role_name == "Target"


def test_explicit_deny_in_the_callers_policy_wins_over_a_trust_policy_naming_the_caller(
        make_user, make_role, customer_policy, attach):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    attach("alice", customer_policy("NoRoles", deny("sts:AssumeRole")).arn)
    with pytest.raises(AccessDenied, match="explicit deny"):
        assume(alice)


def test_external_id_condition(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE, condition={"StringEquals": {"sts:ExternalId": "Ext-42"}}))
    with pytest.raises(AccessDenied):
        assume(alice)
    with pytest.raises(AccessDenied):
        assume(alice, external_id="Ext-41")
    assert assume(alice, external_id="Ext-42").session.session_name == "work"


def test_source_ip_condition(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE, condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    with pytest.raises(AccessDenied):
        assume(alice, caller=Caller(principal=alice, source_ip="192.168.1.5"))
    assert assume(alice, caller=Caller(principal=alice, source_ip="10.1.2.3")).session.session_name == "work"


MFA_TRUST = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}


def test_mfa_condition_is_met_by_a_console_session_signed_in_with_mfa(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE, condition=MFA_TRUST))
    with pytest.raises(AccessDenied):
        assume(alice, caller=Caller(principal=alice, via="console"))
    signed_in = timezone.now() - timedelta(minutes=5)
    assumed = assume(alice, caller=Caller(principal=alice, via="console", mfa_authenticated_at=signed_in))
    assert assumed.session.mfa_authenticated_at == signed_in


@pytest.fixture
def alice_mfa():
    """A TOTP device for alice, through the MFA device store's verification hook."""
    seed = pyotp.random_base32()
    serial = "arn:aws:iam::123456789012:mfa/alice"

    def verify(user, serial_number, code, *, client):
        return user.user_name == "alice" and serial_number == serial and pyotp.TOTP(seed).verify(code)

    mfa.register_verifier(verify)
    yield serial, pyotp.TOTP(seed)
    mfa.unregister_verifier(verify)


def test_mfa_condition_is_met_by_a_valid_code_and_refused_with_a_wrong_one(make_user, make_role, alice_mfa):
    serial, totp = alice_mfa
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE, condition=MFA_TRUST))
    with pytest.raises(AccessDenied):
        assume(alice)
    wrong = f"{(int(totp.now()) + 1) % 1_000_000:06d}"
    with pytest.raises(AccessDenied, match="MultiFactorAuthentication failed with invalid MFA one time pass code."):
        assume(alice, serial_number=serial, token_code=wrong)
    assumed = assume(alice, serial_number=serial, token_code=totp.now())
    assert assumed.session.mfa_authenticated_at is not None
    assert RoleSessionPrincipal(assumed.session).condition_keys(timezone.now())["aws:MultiFactorAuthPresent"] is True


def test_serial_number_without_token_code_is_a_validation_error(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    with pytest.raises(ValidationError, match="serial_number and token_code must be given together"):
        assume(alice, serial_number="arn:aws:iam::123456789012:mfa/alice")


@pytest.mark.parametrize("name", ["a", "x" * 65, "has space", "semi;colon"])
def test_role_session_name_must_be_2_to_64_allowed_characters(make_user, make_role, name):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    with pytest.raises(ValidationError, match="roleSessionName"):
        assume(alice, role_session_name=name)


def test_duration_bounds(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), max_session_duration=7200)
    with pytest.raises(ValidationError, match="greater than or equal to 900"):
        assume(alice, duration_seconds=899)
    with pytest.raises(ValidationError, match="exceeds the MaxSessionDuration set for this role"):
        assume(alice, duration_seconds=7201)
    assert (assume(alice, duration_seconds=900).expiration - timezone.now()) <= timedelta(seconds=900)
    session = assume(alice, duration_seconds=7200).session
    assert session.expiration - session.issued_at == timedelta(seconds=7200)


def test_role_session_can_assume_a_role_that_trusts_its_role_arn(make_user, make_role):
    alice = make_user("alice")
    make_role("First", trust(USER_ARN_ALICE))
    make_role("Second", trust(role_arn("First")))
    first = assume(alice, "First")
    second = assume(None, "Second", caller=Caller(principal=RoleSessionPrincipal(first.session)),
                    role_session_name="chained")
    assert second.session.chained and second.session.source_user_id == alice.pk
    assert second.session.caller_arn == "arn:aws:sts::123456789012:assumed-role/First/work"
    with pytest.raises(AccessDenied):
        assume(alice, "Second")


def test_role_chaining_is_capped_at_one_hour(make_user, make_role):
    alice = make_user("alice")
    make_role("First", trust(USER_ARN_ALICE))
    make_role("Second", trust(role_arn("First")), max_session_duration=43200)
    first = assume(alice, "First")
    with pytest.raises(ValidationError, match="exceeds the 1 hour session limit for roles assumed by role chaining"):
        assume(None, "Second", caller=Caller(principal=RoleSessionPrincipal(first.session)), duration_seconds=3601)


def test_session_permissions_are_the_roles_policies(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), policies=(READ_ONLY,))
    session = RoleSessionPrincipal(assume(alice).session)
    assert allowed(session, "iam:ListUsers")
    assert not allowed(session, "iam:CreateUser", user_arn("x"))
    assert not allowed(alice, "iam:ListUsers")


def test_session_policy_caps_the_roles_permissions(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), policies=(ADMIN,))
    capped = assume(alice, policy=document(allow(["iam:ListUsers", "iam:ListGroups"])))
    session = RoleSessionPrincipal(capped.session)
    assert allowed(session, "iam:ListUsers")
    assert not allowed(session, "iam:ListRoles")
    assert capped.packed_policy_size > 0


def test_managed_session_policies_cap_the_roles_permissions(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), policies=(ADMIN,))
    session = RoleSessionPrincipal(assume(alice, policy_arns=[READ_ONLY]).session)
    assert allowed(session, "iam:GetRole", role_arn("Target"))
    assert not allowed(session, "iam:DeleteRole", role_arn("Target"))


def test_session_policy_cannot_grant_more_than_the_role(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), policies=(READ_ONLY,))
    session = RoleSessionPrincipal(assume(alice, policy=document(allow("*"))).session)
    assert not allowed(session, "iam:CreateUser", user_arn("x"))


def test_role_permissions_boundary_caps_the_session(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE), policies=(ADMIN,), permissions_boundary=READ_ONLY)
    session = RoleSessionPrincipal(assume(alice).session)
    assert allowed(session, "iam:ListUsers")
    assert not allowed(session, "iam:CreateUser", user_arn("x"))


def test_more_than_ten_session_policy_arns_are_refused(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    with pytest.raises(ValidationError, match="policyArns"):
        assume(alice, policy_arns=[READ_ONLY] * 11)


def test_session_tags_need_sts_tag_session_in_the_trust_policy(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    with pytest.raises(AccessDenied, match="sts:TagSession"):
        assume(alice, tags=[{"key": "project", "value": "blue"}])
    make_role("Tagged", trust(USER_ARN_ALICE, actions=("sts:AssumeRole", "sts:TagSession")))
    session = assume(alice, "Tagged", tags=[{"key": "project", "value": "blue"}]).session
    keys = RoleSessionPrincipal(session).condition_keys(timezone.now())
    assert keys["aws:PrincipalTag/project"] == "blue"


def test_session_context_names_the_role_and_has_no_username(make_user, make_role):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    principal = RoleSessionPrincipal(assume(alice, role_session_name="alice").session)
    context = Caller(principal=principal).condition_context()
    assert context["aws:PrincipalArn"] == role_arn("Target")
    assert "aws:username" not in context  # a session named like a user must never match ${aws:username}
    assert context["aws:userid"] == f"{principal.role.role_id}:alice"
    assert context["aws:TokenIssueTime"] == principal.session.issued_at
    assert context["aws:MultiFactorAuthPresent"] is False


def test_get_caller_identity_for_user_root_and_session(make_user, make_role, root_caller):
    alice = make_user("alice")
    make_role("Target", trust(USER_ARN_ALICE))
    assert sts.get_caller_identity(caller=Caller(principal=alice)) == sts.CallerIdentity(
        user_id=alice.user_id, account="123456789012", arn=USER_ARN_ALICE)
    assert sts.get_caller_identity(caller=root_caller).arn == ROOT_ARN
    session = RoleSessionPrincipal(assume(alice).session)
    identity = sts.get_caller_identity(caller=Caller(principal=session))
    assert identity.arn == "arn:aws:sts::123456789012:assumed-role/Target/work"
    assert identity.user_id == f"{session.role.role_id}:work"
