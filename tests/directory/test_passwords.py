"""The account password policy, console passwords and ChangePassword."""

from datetime import timedelta

import pytest
from django.utils import timezone

from directory.models import PasswordHistory, User
from directory.passwords import EffectivePasswordPolicy, check_password_against_policy, generate_password
from directory.services import attachments, login_profiles, password_policy, users
from iam_console.errors import (
    AccessDenied,
    EntityAlreadyExists,
    InvalidInput,
    NoSuchEntity,
    PasswordPolicyViolation,
    ValidationError,
)
from policies.authorization import Caller

pytestmark = pytest.mark.django_db


def _policy(root_caller, **values):
    return password_policy.update_account_password_policy(caller=root_caller, **values)


@pytest.mark.parametrize("password, accepted", [
    ("Abcdef1!", True),        # four classes
    ("abcdef1!", True),        # three classes
    ("abcdefgh1", False),      # two classes
    ("Ab1!", False),           # too short
    ("a" * 129, False),        # too long
])
def test_default_rules_apply_when_no_policy_is_set(password, accepted):
    user = User(user_name="alice")
    if accepted:
        check_password_against_policy(password, user=user, policy=EffectivePasswordPolicy())
    else:
        with pytest.raises(PasswordPolicyViolation):
            check_password_against_policy(password, user=user, policy=EffectivePasswordPolicy())


def test_default_rules_refuse_the_user_name_as_password():
    with pytest.raises(PasswordPolicyViolation, match="differ from the user name"):
        check_password_against_policy("Alice-1234", user=User(user_name="alice-1234"), policy=EffectivePasswordPolicy())


@pytest.mark.parametrize("field, low, high", [
    ("minimum_password_length", 6, 128), ("max_password_age", 1, 1095), ("password_reuse_prevention", 1, 24),
])
def test_policy_ranges_are_aws_ranges(root_caller, field, low, high):
    _policy(root_caller, **{field: low})
    _policy(root_caller, **{field: high})
    for bad in (low - 1, high + 1):
        with pytest.raises(ValidationError, match=f"{field} must be an integer from {low} to {high}"):
            _policy(root_caller, **{field: bad})


def test_update_resets_unspecified_settings_to_defaults_as_aws_does(root_caller):
    _policy(root_caller, minimum_password_length=20, require_symbols=True)
    policy = _policy(root_caller, require_numbers=True)
    assert policy.minimum_password_length == 6 and not policy.require_symbols and policy.require_numbers


def test_custom_policy_is_enforced_when_a_password_is_set(root_caller):
    _policy(root_caller, minimum_password_length=12, require_symbols=True, require_uppercase_characters=True)
    users.create_user(caller=root_caller, user_name="alice")
    with pytest.raises(PasswordPolicyViolation) as error:
        login_profiles.create_login_profile(caller=root_caller, user_name="alice", password="short")
    assert "at least 12 characters" in error.value.message and "symbol" in error.value.message
    assert "uppercase" in error.value.message
    assert not User.objects.get(user_name="alice").has_login_profile


def test_get_policy_without_one_is_no_such_entity_and_delete_restores_defaults(root_caller):
    with pytest.raises(NoSuchEntity):
        password_policy.get_account_password_policy(caller=root_caller)
    _policy(root_caller, minimum_password_length=30)
    password_policy.delete_account_password_policy(caller=root_caller)
    with pytest.raises(NoSuchEntity):
        password_policy.get_account_password_policy(caller=root_caller)


def test_password_is_hashed_with_argon2id_and_never_stored(root_caller):
    users.create_user(caller=root_caller, user_name="alice")
    login_profiles.create_login_profile(caller=root_caller, user_name="alice", password="Str0ng-Passw0rd!")
    stored = User.objects.get(user_name="alice").password
    assert stored.startswith("argon2$argon2id$") and "Str0ng-Passw0rd!" not in stored
    assert all(h.startswith("argon2$argon2id$") for h in PasswordHistory.objects.values_list("password_hash", flat=True))


def test_second_login_profile_is_refused(root_caller, make_user):
    make_user("alice", password="Str0ng-Passw0rd!")
    with pytest.raises(EntityAlreadyExists):
        login_profiles.create_login_profile(caller=root_caller, user_name="alice", password="Other-Passw0rd!")


def test_change_password_checks_the_old_password_and_clears_reset_required(root_caller, make_user):
    alice = make_user("alice", password="Str0ng-Passw0rd!")
    attachments.attach_user_policy(caller=root_caller, user_name="alice",
                                   policy_arn="arn:aws:iam::aws:policy/IAMUserChangePassword")
    login_profiles.update_login_profile(caller=root_caller, user_name="alice", password_reset_required=True)
    caller = Caller(principal=User.objects.get(pk=alice.pk))
    with pytest.raises(InvalidInput, match="old password is incorrect"):
        login_profiles.change_password(caller=caller, old_password="wrong", new_password="New-Passw0rd!")
    login_profiles.change_password(caller=caller, old_password="Str0ng-Passw0rd!", new_password="New-Passw0rd!")
    alice.refresh_from_db()
    assert alice.check_password("New-Passw0rd!") and not alice.password_reset_required


def test_reuse_prevention_refuses_a_recent_password(root_caller, make_user):
    _policy(root_caller, password_reuse_prevention=2, allow_users_to_change_password=True)
    alice = make_user("alice", password="First-Passw0rd!")
    caller = Caller(principal=alice)
    login_profiles.change_password(caller=caller, old_password="First-Passw0rd!", new_password="Second-Passw0rd!")
    with pytest.raises(PasswordPolicyViolation, match="last 2 passwords"):
        login_profiles.change_password(caller=caller, old_password="Second-Passw0rd!",
                                       new_password="First-Passw0rd!")
    login_profiles.change_password(caller=caller, old_password="Second-Passw0rd!", new_password="Third-Passw0rd!")
    # First is now three passwords back: allowed again with a history of two.
    login_profiles.change_password(caller=caller, old_password="Third-Passw0rd!", new_password="First-Passw0rd!")


def test_hard_expiry_stops_a_user_changing_an_expired_password(root_caller, make_user):
    _policy(root_caller, max_password_age=30, hard_expiry=True, allow_users_to_change_password=True)
    alice = make_user("alice", password="Str0ng-Passw0rd!")
    User.objects.filter(pk=alice.pk).update(password_last_changed=timezone.now() - timedelta(days=31))
    with pytest.raises(AccessDenied, match="HardExpiry"):
        login_profiles.change_password(caller=Caller(principal=User.objects.get(pk=alice.pk)),
                                       old_password="Str0ng-Passw0rd!", new_password="New-Passw0rd!")


def test_generated_passwords_satisfy_the_strictest_policy():
    policy = EffectivePasswordPolicy(minimum_password_length=40, require_symbols=True, require_numbers=True,
                                     require_uppercase_characters=True, require_lowercase_characters=True,
                                     is_default=False)
    for _ in range(20):
        check_password_against_policy(generate_password(policy), user=User(user_name="x"), policy=policy)
