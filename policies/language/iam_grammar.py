"""IAM's own verdict on policy values: what CreatePolicy / PutUserPolicy refuse.

Each function answers with IAM's MalformedPolicyDocument message, or None when IAM
accepts the value. Only what IAM itself refuses belongs here; everything that is merely
suspicious (unknown actions, odd condition values, unknown condition keys) is advice and
lives in ``checks``. Sources are named on each rule; where IAM's documentation is silent
the rule follows IAM's observed answers (the messages quoted are IAM's).
"""

from __future__ import annotations

import datetime as _dt
import re

from .arn import PARTITIONS, has_wildcard

VERSION_MESSAGE = "Policy document must be version 2012-10-17 or greater."

# ---------------------------------------------------------------- actions

# IAM User Guide, "Grammar of the IAM JSON policy language": action_string is
# "*" or <service-namespace>:<action>. IAM checks only the namespace; the action name
# may hold any character ("iam: asdf" is stored; it simply never matches).
_VENDOR = re.compile(r"^[A-Za-z0-9.-]+$")


def action_verdict(text: str) -> str | None:
    if text == "*":
        return None
    vendor, colon, rest = text.partition(":")
    if not colon:
        return "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    if ":" in rest:
        return "Actions/Condition can contain only one colon."
    if vendor != "*" and not _VENDOR.match(vendor):
        return f"Vendor {vendor} is not valid"
    return None


# ---------------------------------------------------------------- resources

# IAM resource ARNs name one of these resource types (Service Authorization Reference,
# "Resource types defined by AWS Identity and Access Management", and "... by AWS
# Security Token Service" for "root", the resource of sts:AssumeRoot); IAM refuses any
# other resource part with this message.
IAM_RESOURCE_PREFIXES = (
    "user/",
    "federated-user/",
    "role/",
    "group/",
    "instance-profile/",
    "mfa/",
    "server-certificate/",
    "policy/",
    "sms-mfa/",
    "saml-provider/",
    "oidc-provider/",
    "report/",
    "access-report/",
    "delegation-request/",
    "root",
    # The directory's own resource type: a service registered in its catalogue.
    "service/",
)
# Amazon S3 resource types whose ARNs carry a Region (Service Authorization Reference,
# "Resource types defined by Amazon S3"): access points, batch jobs, Storage Lens,
# Multi-Region Access Point requests, Access Grants. Buckets and objects never do.
S3_REGIONAL_PREFIXES = (
    "accesspoint/",
    "job/",
    "storage-lens/",
    "storage-lens-group/",
    "async-request/",
    "access-grants/",
)


def resource_verdict(text: str) -> str | None:
    """IAM's verdict on one Resource / NotResource value.

    IAM User Guide, "IAM JSON policy elements: Resource" and "IAM identifiers" (ARN
    format ``arn:partition:service:region:account-id:resource``). IAM accepts short ARNs
    without the trailing fields ("arn:aws:ec2:*", "arn:aws:fdsasf") but refuses a short
    one that leaves a field empty ("arn:aws:s3::bucket": "The policy failed legacy
    parsing").
    """
    if text == "*":
        return None
    if ":" not in text:
        return f'Resource {text} must be in ARN format or "*".'
    fields = text.split(":")
    if fields[0] != "arn":
        return f'Resource {text} must be in ARN format or "*".'
    partition = fields[1]
    if partition != "*" and partition not in PARTITIONS:
        return f'Partition "{partition}" is not valid for resource "{text}".'
    if len(fields) < 3:
        return "Resource vendor must be fully qualified and cannot contain regexes."
    service = fields[2]
    if not service:
        return "The policy failed legacy parsing"
    if has_wildcard(service):
        return "Resource vendor must be fully qualified and cannot contain regexes."
    if len(fields) < 6 and "::" in text:
        return "The policy failed legacy parsing"
    region = fields[3] if len(fields) > 3 else None
    resource = ":".join(fields[5:]) if len(fields) > 5 else ""
    if service == "iam":
        if region != "":
            return f"IAM resource {text} cannot contain region information."
        if not _iam_resource_ok(resource):
            return 'IAM resource path must either be "*" or start with ' + ", ".join(IAM_RESOURCE_PREFIXES) + "."
    if service == "s3" and region != "" and not resource.startswith(S3_REGIONAL_PREFIXES):
        return f"Resource {text} can not contain region information."
    return None


def _iam_resource_ok(resource: str) -> bool:
    if resource == "*" or resource.startswith(IAM_RESOURCE_PREFIXES):
        return True
    # A wildcard may stand for the rest of a prefix ("role*", "*"): only the literal text
    # before the first wildcard can be held against the list.
    cut = min((i for i in (resource.find("*"), resource.find("?")) if i >= 0), default=-1)
    if cut < 0:
        return False
    literal = resource[:cut]
    return any(prefix.startswith(literal) for prefix in IAM_RESOURCE_PREFIXES)


# ---------------------------------------------------------------- dates

_EPOCH = re.compile(r"^[0-9]+$")
_MAX_EPOCH = 2**63 - 1
# IAM User Guide, "Condition operators: Date": "You must specify date/time values with
# one of the W3C implementations of the ISO 8601 date formats or in epoch (UNIX) time."
# The shapes IAM's parser takes: a (possibly negative) year with optional month and
# day, optionally "T" and a time of 1-3 colon-separated fields with a fraction of a
# second and a zone ("Z", or +hh / -hh with optional :mm).
_ISO = re.compile(
    r"^(?P<year>-?[0-9]+)(?:-(?P<month>[0-9]+)(?:-(?P<day>[0-9]+))?)?"
    r"(?:[Tt](?P<hour>[0-9]+)?(?::(?P<minute>[0-9]+)(?::(?P<second>[0-9]+)(?:\.(?P<fraction>[0-9]+))?"
    r"(?P<zone>[Zz]|[+-](?P<zh>[0-9]{2})(?::(?P<zm>[0-9]{2}))?)?)?)?)?$"
)
_MIN_YEAR, _MAX_YEAR = -292275054, 292278993


def parse_policy_date(text: str) -> float | None:
    """Seconds since the epoch for a Date condition value as IAM reads it, or None.

    Integers are epoch seconds; anything with "T" or "-" is ISO 8601. Years outside
    Python's range still validate but compare as the nearest representable instant.
    """
    text = text.strip()
    if _EPOCH.match(text):
        value = int(text)
        return float(value) if value <= _MAX_EPOCH else None
    match = _ISO.match(text)
    if match is None:
        return None
    part = match.groupdict()
    year = int(part["year"])
    month = int(part["month"] or 1)
    day = int(part["day"] or 1)
    hour = int(part["hour"] or 0)
    minute = int(part["minute"] or 0)
    second = int(part["second"] or 0)
    fraction = part["fraction"] or "0"
    if not (_MIN_YEAR <= year <= _MAX_YEAR and 1 <= month <= 12 and 1 <= day <= 31):
        return None
    if not (hour <= 23 and minute <= 59 and second <= 59 and int(fraction) <= 999_999_999):
        return None
    if part["zh"] is not None and (int(part["zh"]) > 23 or int(part["zm"] or 0) > 59):
        return None
    offset = 0
    if part["zh"] is not None:
        sign = -1 if part["zone"].startswith("-") else 1
        offset = sign * (int(part["zh"]) * 3600 + int(part["zm"] or 0) * 60)
    clamped = min(max(year, 1), 9999)
    try:
        base = _dt.datetime(clamped, month, min(day, _days_in(clamped, month)), tzinfo=_dt.UTC).timestamp()
    except ValueError:  # pragma: no cover - ranges checked above
        return None
    if year != clamped:
        base = float("-inf") if year < clamped else float("inf")
    return base + hour * 3600 + minute * 60 + second + float("0." + fraction) - offset


def _days_in(year: int, month: int) -> int:
    following = _dt.date(year + (month == 12), month % 12 + 1, 1) if year < 9999 or month < 12 else None
    if following is None:
        return 31
    return (following - _dt.timedelta(days=1)).day


def date_value_verdict(text: str, json_type: str) -> str | None:
    """IAM refuses a Date operator value it cannot read ("The policy failed legacy parsing")."""
    if json_type == "boolean" or (json_type == "number" and not _EPOCH.match(text)):
        return "The policy failed legacy parsing"
    return None if parse_policy_date(text) is not None else "The policy failed legacy parsing"
