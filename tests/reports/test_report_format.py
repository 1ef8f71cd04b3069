"""The report is AWS's CSV: header, root row, value conventions, key order, quoting, constant query count."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import AccessKey, User
from directory.reports.generation import HEADER
from directory.services import password_policy
from tests.reports.helpers import generate_now, parse_rows, report_text

AWS_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,"
    "mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,"
    "access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
    "access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated"
)
T0 = datetime(2024, 3, 1, 9, 30, 15, 987654, tzinfo=UTC)
NO_KEY = {"active": "false", "last_rotated": "N/A", "last_used_date": "N/A", "last_used_region": "N/A",
          "last_used_service": "N/A"}
NO_CERTS = {"cert_1_active": "false", "cert_1_last_rotated": "N/A", "cert_2_active": "false",
            "cert_2_last_rotated": "N/A"}


def key_columns(number: int, **values: str) -> dict[str, str]:
    return {f"access_key_{number}_{name}": value for name, value in {**NO_KEY, **values}.items()}


def at(days: int = 0, **kwargs) -> datetime:
    return T0 + timedelta(days=days, **kwargs)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@pytest.fixture
def directory(root, root_caller, make_user):
    """Users covering every value convention of the report, with fixed timestamps."""
    User.objects.filter(pk=root.pk).update(create_date=at(-400))
    AccessKey.objects.filter(user=root).update(create_date=at(-300))
    make_user("alice")  # no password, no key
    make_user("bob", password="Bob-Passw0rd!1", access_key=True)  # password never used
    make_user("carol", password="Carol-Passw0rd!1", access_key=True)
    make_user("Zed")
    User.objects.filter(user_name="alice").update(create_date=at(1))
    User.objects.filter(user_name="bob").update(create_date=at(2), login_profile_create_date=at(3),
                                                password_last_changed=at(4))
    User.objects.filter(user_name="carol").update(create_date=at(5), login_profile_create_date=at(6),
                                                  password_last_changed=at(7), last_login=at(8, hours=3))
    User.objects.filter(user_name="Zed").update(create_date=at(9))
    bob_key = AccessKey.objects.get(user__user_name="bob")
    AccessKey.objects.filter(pk=bob_key.pk).update(create_date=at(10), status="Inactive", last_used_date=at(11),
                                                   last_used_region="eu-west-1", last_used_service="iam")
    from directory.services import access_keys
    newer = access_keys.create_access_key(caller=root_caller, user_name="bob").access_key
    AccessKey.objects.filter(pk=newer.pk).update(create_date=at(12))
    carol_key = AccessKey.objects.get(user__user_name="carol")
    # Used, but with no region or service on record.
    AccessKey.objects.filter(pk=carol_key.pk).update(create_date=at(13), last_used_date=at(14))
    return {"bob_keys": (bob_key, newer), "carol_key": carol_key}


def test_header_is_exactly_awss_column_list(root_caller, directory):
    text = report_text(generate_now(root_caller).pk)
    assert text.splitlines()[0] == AWS_HEADER
    assert ",".join(HEADER) == AWS_HEADER


def test_rows_match_users_keys_and_every_na_and_no_information_case(root_caller, root, directory):
    report = generate_now(root_caller)
    rows = parse_rows(report_text(report.pk))
    assert [row["user"] for row in rows] == ["<root_account>", "alice", "bob", "carol", "Zed"]
    assert report.row_count == 5
    by_user = {row["user"]: row for row in rows}
    assert by_user["<root_account>"] == {
        "user": "<root_account>", "arn": "arn:aws:iam::123456789012:root", "user_creation_time": stamp(at(-400)),
        "password_enabled": "not_supported", "password_last_used": "no_information",
        "password_last_changed": "not_supported", "password_next_rotation": "not_supported", "mfa_active": "false",
        **key_columns(1, active="true", last_rotated=stamp(at(-300))), **key_columns(2), **NO_CERTS,
    }
    assert by_user["alice"] == {
        "user": "alice", "arn": "arn:aws:iam::123456789012:user/alice", "user_creation_time": stamp(at(1)),
        "password_enabled": "false", "password_last_used": "N/A", "password_last_changed": "N/A",
        "password_next_rotation": "N/A", "mfa_active": "false", **key_columns(1), **key_columns(2), **NO_CERTS,
    }
    assert by_user["bob"] == {
        "user": "bob", "arn": "arn:aws:iam::123456789012:user/bob", "user_creation_time": stamp(at(2)),
        "password_enabled": "true", "password_last_used": "no_information",
        "password_last_changed": stamp(at(4)), "password_next_rotation": "N/A", "mfa_active": "false",
        # The older key is access_key_1, whatever its status; the newer one was never used.
        **key_columns(1, active="false", last_rotated=stamp(at(10)), last_used_date=stamp(at(11)),
                      last_used_region="eu-west-1", last_used_service="iam"),
        **key_columns(2, active="true", last_rotated=stamp(at(12))), **NO_CERTS,
    }
    assert by_user["carol"] == {
        "user": "carol", "arn": "arn:aws:iam::123456789012:user/carol", "user_creation_time": stamp(at(5)),
        "password_enabled": "true", "password_last_used": stamp(at(8, hours=3)),
        "password_last_changed": stamp(at(7)), "password_next_rotation": "N/A", "mfa_active": "false",
        **key_columns(1, active="true", last_rotated=stamp(at(13)), last_used_date=stamp(at(14))),
        **key_columns(2), **NO_CERTS,
    }
    assert by_user["Zed"]["user_creation_time"] == stamp(at(9))


def test_timestamps_are_utc_seconds_with_explicit_offset_and_values_are_unquoted(root_caller, directory):
    text = report_text(generate_now(root_caller).pk)
    assert '"' not in text
    assert "\r" not in text
    assert text.endswith("\n")
    carol = next(line for line in text.splitlines() if line.startswith("carol,"))
    assert carol.split(",")[4] == "2024-03-09T12:30:15+00:00"  # microseconds dropped, not rounded


def test_password_next_rotation_follows_max_password_age(root_caller, directory):
    password_policy.update_account_password_policy(caller=root_caller, max_password_age=90)
    rows = {row["user"]: row for row in parse_rows(report_text(generate_now(root_caller).pk))}
    assert rows["bob"]["password_next_rotation"] == stamp(at(4 + 90))
    assert rows["carol"]["password_next_rotation"] == stamp(at(7 + 90))
    assert rows["alice"]["password_next_rotation"] == "N/A"
    assert rows["<root_account>"]["password_next_rotation"] == "not_supported"


def test_user_with_path_gets_path_in_arn(root_caller, make_user):
    make_user("dev1", path="/engineering/backend/")
    rows = {row["user"]: row for row in parse_rows(report_text(generate_now(root_caller).pk))}
    assert rows["dev1"]["arn"] == "arn:aws:iam::123456789012:user/engineering/backend/dev1"


def test_a_comma_in_a_user_name_is_quoted_so_csv_readers_still_see_22_columns(root_caller, make_user):
    make_user("ops,oncall")
    text = report_text(generate_now(root_caller).pk)
    assert '"ops,oncall","arn:aws:iam::123456789012:user/ops,oncall"' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert {len(row) for row in rows} == {22}
    assert rows[-1][0] == "ops,oncall"


def test_generation_uses_the_same_number_of_queries_for_3_and_60_users(root_caller, make_user):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            generate_now(root_caller)
        return len(queries)

    for index in range(3):
        make_user(f"few{index}", password="Few-Passw0rd!1", access_key=True)
    few = count_queries()
    from directory.models import CredentialReport
    CredentialReport.objects.all().delete()
    for index in range(57):
        make_user(f"many{index}", password="Many-Passw0rd!1", access_key=True)
    assert count_queries() == few
