"""CreateArchiveRule, GetArchiveRule, ListArchiveRules, UpdateArchiveRule, DeleteArchiveRule, ApplyArchiveRule."""

from __future__ import annotations

from django.utils import timezone

from analyzers import filters
from analyzers.access import (
    ARCHIVE_RULE_RESOURCE,
    EVENT_SOURCE,
    action,
    analyzer_at,
    analyzer_named,
    check_name,
    rule_of,
)
from analyzers.errors import conflict, not_found, quota_exceeded
from analyzers.models import Analyzer, ArchiveRule, Finding, analyzer_arn
from analyzers.paging import page
from analyzers.services.analyzers import MAX_ARCHIVE_RULES
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from policies.authorization import authorize_caller


def rule_arn(account_id: str, analyzer_name: str, rule_name: str) -> str:
    return f"{analyzer_arn(account_id, analyzer_name)}/archive-rule/{rule_name}"


def _analyzer_for_rule(caller: Caller, operation: str, analyzer_name: str, rule_name: str, *,
                       lock: bool = False) -> Analyzer:
    """The analyzer, once `operation` is allowed on the archive rule's ARN."""
    check_name(analyzer_name, "analyzerName")
    check_name(rule_name, "ruleName")
    authorize_caller(caller, action(operation), rule_arn(caller.account_id, analyzer_name, rule_name))
    rows = Analyzer.objects.filter(account_id=caller.account_id, name=analyzer_name)
    analyzer = (rows.select_for_update() if lock else rows).first()
    if analyzer is None:
        raise not_found(analyzer_name, "AWS::AccessAnalyzer::Analyzer",
                        f"Analyzer {analyzer_name} does not exist in account {caller.account_id}.")
    return analyzer


@iam_operation("CreateArchiveRule", event_source=EVENT_SOURCE)
def create_archive_rule(*, caller: Caller, analyzer_name: str, rule_name: str, filter: dict,
                        client_token: str | None = None) -> ArchiveRule:
    analyzer = _analyzer_for_rule(caller, "CreateArchiveRule", analyzer_name, rule_name, lock=True)
    criteria = filters.validate(filter)
    rules = ArchiveRule.objects.filter(analyzer=analyzer)
    if rules.filter(name=rule_name).exists():
        raise conflict(rule_name, ARCHIVE_RULE_RESOURCE, f"Archive rule {rule_name} already exists.")
    if rules.count() >= MAX_ARCHIVE_RULES:
        raise quota_exceeded(rule_name, ARCHIVE_RULE_RESOURCE,
                             f"An analyzer takes at most {MAX_ARCHIVE_RULES} archive rules.")
    return ArchiveRule.objects.create(analyzer=analyzer, name=rule_name, filter=criteria)


@iam_operation("GetArchiveRule", event_source=EVENT_SOURCE)
def get_archive_rule(*, caller: Caller, analyzer_name: str, rule_name: str) -> ArchiveRule:
    analyzer = _analyzer_for_rule(caller, "GetArchiveRule", analyzer_name, rule_name)
    return rule_of(analyzer, rule_name)


@iam_operation("ListArchiveRules", event_source=EVENT_SOURCE)
def list_archive_rules(*, caller: Caller, analyzer_name: str, next_token: str | None = None,
                       max_results: int | None = None) -> tuple[list[ArchiveRule], str | None]:
    analyzer = analyzer_named(caller, "ListArchiveRules", analyzer_name)
    return page(ArchiveRule.objects.filter(analyzer=analyzer).order_by("name"), next_token=next_token,
                max_results=max_results)


@iam_operation("UpdateArchiveRule", event_source=EVENT_SOURCE)
def update_archive_rule(*, caller: Caller, analyzer_name: str, rule_name: str, filter: dict,
                        client_token: str | None = None) -> ArchiveRule:
    analyzer = _analyzer_for_rule(caller, "UpdateArchiveRule", analyzer_name, rule_name)
    rule = rule_of(analyzer, rule_name, lock=True)
    rule.filter = filters.validate(filter)
    rule.updated_at = timezone.now()
    rule.save(update_fields=["filter", "updated_at"])
    return rule


@iam_operation("DeleteArchiveRule", event_source=EVENT_SOURCE)
def delete_archive_rule(*, caller: Caller, analyzer_name: str, rule_name: str,
                        client_token: str | None = None) -> None:
    analyzer = _analyzer_for_rule(caller, "DeleteArchiveRule", analyzer_name, rule_name)
    rule_of(analyzer, rule_name, lock=True).delete()


@iam_operation("ApplyArchiveRule", event_source=EVENT_SOURCE)
def apply_archive_rule(*, caller: Caller, analyzer_arn: str, rule_name: str, client_token: str | None = None) -> int:
    """Archive the analyzer's ACTIVE findings the rule matches; the number archived."""
    check_name(rule_name, "ruleName")
    analyzer = analyzer_at(caller, "ApplyArchiveRule", analyzer_arn)
    rule = rule_of(analyzer, rule_name)
    return archive_matching(analyzer, rule.filter)


def archive_matching(analyzer: Analyzer, criteria: dict) -> int:
    active = Finding.objects.filter(analyzer=analyzer, status=Finding.Status.ACTIVE)
    narrowed, rest = filters.narrow(active, criteria)
    if rest:
        ids = [finding.id for finding in filters.select(narrowed, rest)]
        narrowed = active.filter(id__in=ids)
    return narrowed.update(status=Finding.Status.ARCHIVED, updated_at=timezone.now())
