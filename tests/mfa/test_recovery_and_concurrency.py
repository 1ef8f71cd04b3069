"""Recovery codes (single use, regenerated sets, audited use) and one-time codes under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from audit.models import AuditEvent
from directory.mfa import devices
from directory.mfa import services as mfa
from directory.models import MFADevice
from iam_console.errors import NoSuchEntity, Throttling
from policies.authorization import Caller


@pytest.mark.django_db
def test_first_device_issues_ten_distinct_codes_and_a_second_device_none(make_user, enrol):
    make_user("alice")
    first = enrol("alice", name="phone")
    second = enrol("alice", name="tablet")
    assert len(set(first.recovery_codes)) == 10 and second.recovery_codes == []
    assert all(len(code) == 11 and code[5] == "-" for code in first.recovery_codes)


@pytest.mark.django_db
def test_a_recovery_code_works_once_and_tells_how_many_remain(make_user, enrol):
    user = make_user("alice")
    codes = enrol("alice").recovery_codes
    caller = Caller(principal=user, via="console")
    assert mfa.use_recovery_code(caller=caller, user=user, code=codes[0]) == 9
    assert mfa.use_recovery_code(caller=caller, user=user, code=codes[0]) is None
    # People type them in capitals, with spaces, without the hyphen.
    assert mfa.use_recovery_code(caller=caller, user=user, code=" " + codes[1].upper().replace("-", " ")) == 8
    events = list(AuditEvent.objects.filter(event_name="UseMFARecoveryCode").order_by("id"))
    assert [(e.outcome, e.response_elements, e.error_code) for e in events] == [
        ("Success", {"codes_remaining": 9}, ""), ("Failure", {}, "InvalidAuthenticationCode"),
        ("Success", {"codes_remaining": 8}, "")]
    assert all(code not in repr(list(AuditEvent.objects.values())) for code in codes)


@pytest.mark.django_db
def test_regenerating_voids_the_old_codes(root_caller, make_user, enrol):
    user = make_user("alice")
    old = enrol("alice").recovery_codes
    new = mfa.regenerate_recovery_codes(caller=root_caller, user_name="alice").codes
    caller = Caller(principal=user, via="console")
    assert set(old).isdisjoint(new)
    assert mfa.use_recovery_code(caller=caller, user=user, code=old[0]) is None
    assert mfa.use_recovery_code(caller=caller, user=user, code=new[0]) == 9


@pytest.mark.django_db
def test_recovery_codes_need_an_enabled_device(root_caller, make_user):
    make_user("alice")
    with pytest.raises(NoSuchEntity, match="no enabled MFA device"):
        mfa.regenerate_recovery_codes(caller=root_caller, user_name="alice")


@pytest.mark.django_db
def test_recovery_codes_are_stored_as_digests_only(make_user, enrol):
    make_user("alice")
    enrol_codes = enrol("alice").recovery_codes
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM directory_mfarecoverycode")
        codes = repr(cursor.fetchall())
    assert all(code not in codes and code.replace("-", "") not in codes for code in enrol_codes)


def _or_throttled(attempt):
    try:
        return attempt()
    except Throttling:
        return "throttled"


def _race(count: int, attempt) -> list:
    barrier, results = threading.Barrier(count), []

    def run():
        try:
            barrier.wait()
            results.append(attempt())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_ten_simultaneous_uses_of_a_code_succeeds(make_user, enrol):
    user = make_user("alice")
    device = enrol("alice")
    code = device.code(1)
    results = _race(10, lambda: _or_throttled(lambda: devices.check_code(user, device.serial_number, code,
                                                                          client="198.51.100.1")))
    # The replays count as wrong codes: past the threshold they are not even checked.
    assert results.count(True) == 1 and set(results) - {True} <= {False, "throttled"}
    assert MFADevice.objects.get().last_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_ten_simultaneous_uses_of_a_recovery_code_succeeds(make_user, enrol):
    user = make_user("alice")
    code = enrol("alice").recovery_codes[0]
    results = _race(10, lambda: _or_throttled(lambda: mfa.use_recovery_code(
        caller=Caller(principal=user, via="console"), user=user, code=code)))
    assert results.count(9) == 1 and set(results) - {9} <= {None, "throttled"}
