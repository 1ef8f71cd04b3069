"""The credential report's CSV, in AWS's exact format, streamed out of PostgreSQL in one query."""

from __future__ import annotations

from typing import BinaryIO

from django.conf import settings
from django.db import connection

# AWS's columns, in AWS's order. Tools that parse AWS credential reports read these names.
HEADER = (
    "user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
    "password_next_rotation", "mfa_active",
    "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
    "access_key_1_last_used_region", "access_key_1_last_used_service",
    "access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
    "access_key_2_last_used_region", "access_key_2_last_used_service",
    "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated",
)
HEADER_LINE = (",".join(HEADER) + "\n").encode()
ROOT_USER = "<root_account>"
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"

# --- The MFA hook ---------------------------------------------------------------------------------------
# Each entry is SQL selecting one column, `user_id` (directory_user.id), for users with an active MFA device.
# Until MFA devices exist the list is empty and mfa_active is "false" for everyone; the MFA app appends its
# query here (register_mfa_source) and every report from then on reports MFA from its tables, with no extra
# query per user.
MFA_ACTIVE_USER_ID_QUERIES: list[str] = []


def register_mfa_source(sql: str) -> None:
    if sql not in MFA_ACTIVE_USER_ID_QUERIES:
        MFA_ACTIVE_USER_ID_QUERIES.append(sql)


def mfa_active_user_ids_sql() -> str:
    if not MFA_ACTIVE_USER_ID_QUERIES:
        return "SELECT NULL::bigint AS user_id WHERE false"
    # Registered SQL comes from code, never from a request.
    return " UNION ALL ".join(f"SELECT user_id FROM ({sql}) AS mfa_source"  # noqa: S608
                              for sql in MFA_ACTIVE_USER_ID_QUERIES)


def _ts(column: str) -> str:
    # AWS's timestamps: second precision, UTC, written with an explicit +00:00 offset.
    return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"


def _key_columns(alias: str) -> str:
    never_used = f"{alias}.last_used_date IS NULL"
    return f"""
        CASE WHEN {alias}.status = 'Active' THEN 'true' ELSE 'false' END,
        COALESCE({_ts(f"{alias}.create_date")}, 'N/A'),
        COALESCE({_ts(f"{alias}.last_used_date")}, 'N/A'),
        CASE WHEN {never_used} THEN 'N/A' ELSE COALESCE(NULLIF({alias}.last_used_region, ''), 'N/A') END,
        CASE WHEN {never_used} THEN 'N/A' ELSE COALESCE(NULLIF({alias}.last_used_service, ''), 'N/A') END"""


def _key_join(alias: str, offset: int) -> str:
    # access_key_1 is the older key and access_key_2 the newer, as in AWS. Built from constants only.
    return f"""LEFT JOIN LATERAL (
            SELECT status, create_date, last_used_date, last_used_region, last_used_service
            FROM directory_accesskey WHERE user_id = u.id ORDER BY create_date, id OFFSET {offset} LIMIT 1
        ) AS {alias} ON true"""  # noqa: S608


def report_query() -> str:
    """One SELECT producing every report row, already formatted: the root account first, then users by name."""
    no_password = "u.login_profile_create_date IS NULL"
    last_changed = "COALESCE(u.password_last_changed, u.login_profile_create_date)"
    return f"""
    SELECT
        CASE WHEN u.is_superuser THEN '{ROOT_USER}' ELSE u.user_name END,
        CASE WHEN u.is_superuser THEN %(arn_prefix)s || 'root' ELSE %(arn_prefix)s || 'user' || u.path || u.user_name END,
        {_ts("u.create_date")},
        CASE WHEN u.is_superuser THEN 'not_supported' WHEN {no_password} THEN 'false' ELSE 'true' END,
        CASE WHEN {no_password} AND NOT u.is_superuser THEN 'N/A'
             WHEN u.last_login IS NULL THEN 'no_information' ELSE {_ts("u.last_login")} END,
        CASE WHEN u.is_superuser THEN 'not_supported' WHEN {no_password} THEN 'N/A'
             ELSE {_ts(last_changed)} END,
        CASE WHEN u.is_superuser THEN 'not_supported' WHEN {no_password} OR policy.max_password_age IS NULL THEN 'N/A'
             ELSE {_ts(f"{last_changed} + policy.max_password_age * interval '1 day'")} END,
        CASE WHEN mfa.user_id IS NULL THEN 'false' ELSE 'true' END,
        {_key_columns("k1")},
        {_key_columns("k2")},
        'false', 'N/A', 'false', 'N/A'
    FROM directory_user AS u
    LEFT JOIN directory_passwordpolicy AS policy ON policy.account_id = u.account_id
    LEFT JOIN (SELECT DISTINCT user_id FROM ({mfa_active_user_ids_sql()}) AS m) AS mfa ON mfa.user_id = u.id
    {_key_join("k1", 0)}
    {_key_join("k2", 1)}
    WHERE u.account_id = %(account_id)s
    ORDER BY u.is_superuser DESC, u.user_name_key COLLATE "C"
    """  # noqa: S608 - built from constants; the values are bound parameters


def arn_prefix(account_id: str) -> str:
    return f"arn:{settings.IAM_PARTITION}:iam::{account_id}:"


def report_parameters(account_id: str) -> dict[str, str]:
    return {"arn_prefix": arn_prefix(account_id), "account_id": account_id}


def write_report(out: BinaryIO, *, account_id: str) -> int:
    """Write an account's report CSV to `out` and return the number of rows (its users, root included).

    PostgreSQL formats every value and streams the rows with COPY, so one query serves any number of users
    and this process holds one network block at a time. COPY's CSV quotes a value only when it holds a comma
    or a quote (possible in IAM names and paths), which is what keeps such reports parseable; every other
    value is written bare, as AWS writes them. Run it inside a transaction to read one consistent snapshot.
    """
    out.write(HEADER_LINE)
    rows = 0
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        statement = f"COPY ({report_query()}) TO STDOUT WITH (FORMAT csv)"
        with cursor.copy(statement, report_parameters(account_id)) as copy:
            for block in copy:
                data = bytes(block)
                rows += data.count(b"\n")
                out.write(data)
    return rows
