"""Finding the analyzer or archive rule an operation names, once the caller may act on it; names and ARNs checked."""

from __future__ import annotations

import re

from django.conf import settings

from analyzers.errors import invalid, not_found
from analyzers.models import Analyzer, ArchiveRule, analyzer_arn
from iam_console.callers import Caller
from policies.authorization import authorize_caller

EVENT_SOURCE = "access-analyzer.amazonaws.com"
ANALYZER_RESOURCE = "AWS::AccessAnalyzer::Analyzer"
ARCHIVE_RULE_RESOURCE = "AWS::AccessAnalyzer::ArchiveRule"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,254}")
_ARN = re.compile(r"arn:(?P<partition>[^:]*):access-analyzer:(?P<region>[^:]*):(?P<account>\d{12}):"
                  r"analyzer/(?P<name>[^/]+)(?:/archive-rule/(?P<rule>[^/]+))?")


def check_name(value: object, field: str) -> str:
    if not isinstance(value, str) or not NAME.fullmatch(value):
        raise invalid(field, f"{field} must be 1 to 255 characters: a letter, then letters, digits, '_', '.' or "
                             "'-'.")
    return value


def action(name: str) -> str:
    return f"access-analyzer:{name}"


def analyzer_named(caller: Caller, operation: str, name: str, *, lock: bool = False) -> Analyzer:
    """The caller's analyzer `name`, once `access-analyzer:<operation>` is allowed on its ARN."""
    check_name(name, "analyzerName")
    authorize_caller(caller, action(operation), analyzer_arn(caller.account_id, name))
    rows = Analyzer.objects.filter(account_id=caller.account_id, name=name)
    analyzer = (rows.select_for_update() if lock else rows).first()
    if analyzer is None:
        raise not_found(name, ANALYZER_RESOURCE, f"Analyzer {name} does not exist in account {caller.account_id}.")
    return analyzer


def parse_arn(arn: object, field: str) -> tuple[str, str, str | None]:
    """(account, analyzer name, archive rule name or None) of an analyzer's or archive rule's ARN."""
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None or match["partition"] != settings.IAM_PARTITION:
        raise invalid(field, f"{field} must be an analyzer's ARN: arn:{settings.IAM_PARTITION}:access-analyzer:"
                             f"{settings.IAM_DEFAULT_REGION}:<account>:analyzer/<name>.")
    return match["account"], match["name"], match["rule"]


def analyzer_at(caller: Caller, operation: str, arn: str, *, lock: bool = False) -> Analyzer:
    """The analyzer an ARN names, once the caller may act on it; another account's or region's is not found."""
    account, name, rule = parse_arn(arn, "analyzerArn")
    if rule is not None:
        raise invalid("analyzerArn", "analyzerArn names an archive rule: give the analyzer's ARN.")
    authorize_caller(caller, action(operation), arn)
    analyzer = None
    if account == caller.account_id and arn == analyzer_arn(account, name):
        rows = Analyzer.objects.filter(account_id=account, name=name)
        analyzer = (rows.select_for_update() if lock else rows).first()
    if analyzer is None:
        raise not_found(arn, ANALYZER_RESOURCE, f"Analyzer {arn} does not exist.")
    return analyzer


def rule_of(analyzer: Analyzer, rule_name: str, *, lock: bool = False) -> ArchiveRule:
    rows = ArchiveRule.objects.filter(analyzer=analyzer, name=rule_name)
    rule = (rows.select_for_update() if lock else rows).first()
    if rule is None:
        raise not_found(rule_name, ARCHIVE_RULE_RESOURCE,
                        f"Archive rule {rule_name} does not exist on analyzer {analyzer.name}.")
    rule.analyzer = analyzer
    return rule
