"""The credential key's check value: recorded once, compared at start-up, judged by sealed data when missing."""

from __future__ import annotations

import pytest

from iam_console import credential_key
from iam_console.models import CredentialKeyCheck
from tests.mfa.conftest import enrol_device

pytestmark = pytest.mark.django_db


def test_migrated_database_records_the_check_value_of_its_key(settings):
    row = CredentialKeyCheck.objects.get(pk=1)
    assert row.check_value == credential_key.check_value(settings.IAM_CREDENTIAL_KEY)
    assert settings.IAM_CREDENTIAL_KEY not in row.check_value
    assert credential_key.problem() is None


def test_another_key_is_named_as_the_problem(settings):
    settings.IAM_CREDENTIAL_KEY = "another-key-" + "x" * 30
    assert credential_key.problem() == credential_key.MISMATCH
    with pytest.raises(Exception, match="is not the key this database was created with"):
        credential_key.refuse_to_start_on_mismatch()


def test_without_a_check_value_sealed_mfa_seeds_judge_the_key(settings, root_caller, make_user):
    """A database from a release that recorded no check value: its MFA seeds tell a wrong key before one is kept."""
    CredentialKeyCheck.objects.all().delete()
    make_user("sealed")
    enrol_device(root_caller, user_name="sealed")
    right = settings.IAM_CREDENTIAL_KEY
    settings.IAM_CREDENTIAL_KEY = "another-key-" + "x" * 30
    assert credential_key.problem() == credential_key.MISMATCH
    with pytest.raises(Exception, match="is not the key"):
        credential_key.record_if_missing()
    assert not CredentialKeyCheck.objects.exists()
    settings.IAM_CREDENTIAL_KEY = right
    credential_key.record_if_missing()
    assert CredentialKeyCheck.objects.get().check_value == credential_key.check_value(right)


def test_with_nothing_to_judge_by_the_first_key_is_recorded(settings):
    CredentialKeyCheck.objects.all().delete()
    settings.IAM_CREDENTIAL_KEY = "a-first-key-" + "y" * 30
    credential_key.record_if_missing()
    assert credential_key.problem() is None
