"""Identity Center's ids, ARNs, the reserved role's name and path, and ISO-8601 session durations."""

from __future__ import annotations

import hashlib
import re
import secrets

from identitycenter.errors import ValidationException

INSTANCE_ARN = re.compile(r"arn:aws:sso:::instance/(ssoins-[0-9a-f]{16})")
PERMISSION_SET_ARN = re.compile(r"arn:aws:sso:::permissionSet/(ssoins-[0-9a-f]{16})/(ps-[0-9a-f]{16})")
ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
ROLE_PREFIX = "AWSReservedSSO_"
ROLE_NAME_MAX = 64
INLINE_POLICY_NAME = "AwsSSOInlinePolicy"
# Session durations AWS accepts: from one hour to twelve.
MIN_SESSION_SECONDS, MAX_SESSION_SECONDS = 3600, 43200
_DURATION = re.compile(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")


def new_instance_id() -> str:
    return f"ssoins-{secrets.token_hex(8)}"


def new_permission_set_id() -> str:
    return f"ps-{secrets.token_hex(8)}"


def instance_id_of(arn: str) -> str:
    match = INSTANCE_ARN.fullmatch(arn)
    if match is None:
        raise ValidationException("The value of InstanceArn is not a valid instance ARN.")
    return match.group(1)


def permission_set_ids_of(arn: str) -> tuple[str, str]:
    """(instance id, permission set id) of a permission set ARN."""
    match = PERMISSION_SET_ARN.fullmatch(arn)
    if match is None:
        raise ValidationException("The value of PermissionSetArn is not a valid permission set ARN.")
    return match.group(1), match.group(2)


def role_name(set_name: str, ps_id: str) -> str:
    """`AWSReservedSSO_<set name>_<16 hex>`: the suffix is the same in every account for one permission set, and
    differs between two sets (even of the same name, one deleted and made again)."""
    suffix = hashlib.sha256(ps_id.encode()).hexdigest()[:16]
    return f"{ROLE_PREFIX}{set_name}_{suffix}"


def is_reserved_path(path: str) -> bool:
    return path.startswith("/aws-reserved/")


def session_seconds(duration: str) -> int:
    """The seconds of an ISO-8601 duration between PT1H and PT12H; ValidationException for any other."""
    match = _DURATION.fullmatch(duration or "")
    if match is None or duration in ("P", "PT") or duration.endswith("T"):
        raise ValidationException("SessionDuration must be an ISO-8601 duration such as PT1H.")
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if not MIN_SESSION_SECONDS <= total <= MAX_SESSION_SECONDS:
        raise ValidationException("SessionDuration must be from PT1H to PT12H.")
    return total
