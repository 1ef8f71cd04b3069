"""CreateAnalyzer, GetAnalyzer, ListAnalyzers, UpdateAnalyzer, DeleteAnalyzer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from accounts.models import Account, Organization
from analyzers import filters, scheduling
from analyzers.access import ANALYZER_RESOURCE, EVENT_SOURCE, action, analyzer_named, check_name
from analyzers.errors import conflict, invalid, quota_exceeded
from analyzers.models import DEFAULT_UNUSED_ACCESS_AGE, Analyzer, ArchiveRule, analyzer_arn
from analyzers.paging import page
from analyzers.tagging import check_tags
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from policies.authorization import authorize_caller

# AWS's quotas: one account-level analyzer of each type per account; five organization-level ones of each type.
ACCOUNT_LEVEL_QUOTA = 1
ORGANIZATION_LEVEL_QUOTA = 5
MAX_ARCHIVE_RULES = 100
MAX_EXCLUSIONS = 10
ACCOUNT_ID = re.compile(r"\d{12}")
UNSUPPORTED_TYPES = ("ACCOUNT_INTERNAL_ACCESS", "ORGANIZATION_INTERNAL_ACCESS")


def configuration_of(analyzer: Analyzer) -> dict[str, Any] | None:
    """AnalyzerConfiguration: an unused-access analyzer's tracking period and analysis rule."""
    if not analyzer.is_unused_access:
        return None
    unused: dict[str, Any] = {"unusedAccessAge": analyzer.unused_access_age or DEFAULT_UNUSED_ACCESS_AGE}
    if analyzer.exclusions:
        unused["analysisRule"] = {"exclusions": analyzer.exclusions}
    return {"unusedAccess": unused}


def _unused_access(type_: str, configuration: object) -> tuple[int | None, list[dict]]:
    """(tracking period, exclusions) from an AnalyzerConfiguration; ValidationException when out of range."""
    unused_types = (Analyzer.Type.ACCOUNT_UNUSED_ACCESS, Analyzer.Type.ORGANIZATION_UNUSED_ACCESS)
    if configuration is None:
        return (DEFAULT_UNUSED_ACCESS_AGE, []) if type_ in unused_types else (None, [])
    if not isinstance(configuration, Mapping) or set(configuration) - {"unusedAccess"}:
        raise invalid("configuration", "configuration takes unusedAccess only.", reason="notSupported")
    if type_ not in unused_types:
        raise invalid("configuration", f"An analyzer of type {type_} takes no unusedAccess configuration.")
    unused = configuration.get("unusedAccess") or {}
    if not isinstance(unused, Mapping):
        raise invalid("configuration.unusedAccess", "unusedAccess must be a structure.")
    age = unused.get("unusedAccessAge", DEFAULT_UNUSED_ACCESS_AGE)
    if isinstance(age, bool) or not isinstance(age, int) or not 1 <= age <= 365:
        raise invalid("configuration.unusedAccess.unusedAccessAge",
                      "unusedAccessAge, the tracking period, must be between 1 and 365 days.")
    rule = unused.get("analysisRule") or {}
    exclusions = rule.get("exclusions", []) if isinstance(rule, Mapping) else None
    if not isinstance(exclusions, list) or len(exclusions) > MAX_EXCLUSIONS:
        raise invalid("configuration.unusedAccess.analysisRule.exclusions",
                      f"exclusions is a list of at most {MAX_EXCLUSIONS} criteria.")
    return age, [_exclusion(item, index) for index, item in enumerate(exclusions)]


def _exclusion(item: object, index: int) -> dict:
    field = f"configuration.unusedAccess.analysisRule.exclusions.{index}"
    if not isinstance(item, Mapping) or set(item) - {"accountIds", "resourceTags"}:
        raise invalid(field, "An exclusion takes accountIds and resourceTags.")
    accounts = item.get("accountIds") or []
    tags = item.get("resourceTags") or []
    if not isinstance(accounts, list) or not all(isinstance(a, str) and ACCOUNT_ID.fullmatch(a) for a in accounts):
        raise invalid(f"{field}.accountIds", "accountIds is a list of 12-digit account ids.")
    if not isinstance(tags, list) or not all(isinstance(t, Mapping) for t in tags):
        raise invalid(f"{field}.resourceTags", "resourceTags is a list of maps of tag keys to values.")
    for tag_map in tags:
        check_tags(tag_map, f"{field}.resourceTags")
    if not accounts and not tags:
        raise invalid(field, "An exclusion names accountIds, resourceTags or both.")
    cleaned: dict[str, Any] = {}
    if accounts:
        cleaned["accountIds"] = list(accounts)
    if tags:
        cleaned["resourceTags"] = [dict(tag_map) for tag_map in tags]
    return cleaned


def inline_rules(archive_rules: object) -> list[tuple[str, dict]]:
    if archive_rules is None:
        return []
    if not isinstance(archive_rules, list) or len(archive_rules) > MAX_ARCHIVE_RULES:
        raise invalid("archiveRules", f"archiveRules is a list of at most {MAX_ARCHIVE_RULES} rules.")
    rules: dict[str, dict] = {}
    for index, rule in enumerate(archive_rules):
        if not isinstance(rule, Mapping):
            raise invalid(f"archiveRules.{index}", "An archive rule takes ruleName and filter.")
        name = check_name(rule.get("ruleName"), f"archiveRules.{index}.ruleName")
        if name in rules:
            raise conflict(name, "AWS::AccessAnalyzer::ArchiveRule", f"Archive rule {name} is given twice.")
        rules[name] = filters.validate(rule.get("filter"), field=f"archiveRules.{index}.filter")
    return list(rules.items())


def _check_zone(caller: Caller, type_: str) -> None:
    """Organization-wide analyzers are created in the organization's management account only."""
    if type_ not in (Analyzer.Type.ORGANIZATION, Analyzer.Type.ORGANIZATION_UNUSED_ACCESS):
        return
    organization = Organization.objects.filter(management_account_id=caller.account_id).first()
    if organization is None:
        raise invalid("type", f"An analyzer of type {type_} can be created only in the organization's "
                              "management account.", reason="notSupported")


@iam_operation("CreateAnalyzer", event_source=EVENT_SOURCE)
def create_analyzer(*, caller: Caller, analyzer_name: str, type: str, archive_rules: list | None = None,
                    tags: dict | None = None, configuration: dict | None = None,
                    client_token: str | None = None) -> Analyzer:
    check_name(analyzer_name, "analyzerName")
    authorize_caller(caller, action("CreateAnalyzer"), analyzer_arn(caller.account_id, analyzer_name))
    if type in UNSUPPORTED_TYPES:
        raise invalid("type", f"Analyzers of type {type} are not supported by this directory.", reason="notSupported")
    if type not in Analyzer.Type.values:
        raise invalid("type", f"type must be one of {', '.join(Analyzer.Type.values)}.")
    age, exclusions = _unused_access(type, configuration)
    rules = inline_rules(archive_rules)
    tags = check_tags(tags)
    _check_zone(caller, type)
    # One at a time per account: the quota holds under concurrent creates.
    Account.objects.select_for_update().filter(pk=caller.account_id).first()
    mine = Analyzer.objects.filter(account_id=caller.account_id)
    same_name = mine.filter(name=analyzer_name).first()
    if same_name is not None:
        if client_token and same_name.client_token == client_token and same_name.type == type:
            return same_name  # the same request again: an SDK retrying after a lost answer
        raise conflict(analyzer_name, ANALYZER_RESOURCE, f"An analyzer named {analyzer_name} already exists.")
    quota = ORGANIZATION_LEVEL_QUOTA if type.startswith("ORGANIZATION") else ACCOUNT_LEVEL_QUOTA
    if mine.filter(type=type).count() >= quota:
        raise quota_exceeded(analyzer_name, ANALYZER_RESOURCE,
                             f"An account may have {quota} analyzer(s) of type {type}: delete one first.")
    token = client_token if isinstance(client_token, str) and len(client_token) <= 64 else ""
    analyzer = Analyzer.objects.create(account_id=caller.account_id, name=analyzer_name, type=type,
                                       unused_access_age=age, exclusions=exclusions, tags=tags, client_token=token)
    ArchiveRule.objects.bulk_create([ArchiveRule(analyzer=analyzer, name=name, filter=criteria)
                                     for name, criteria in rules])
    scheduling.evaluate_soon(analyzer.pk)
    return analyzer


@iam_operation("GetAnalyzer", event_source=EVENT_SOURCE)
def get_analyzer(*, caller: Caller, analyzer_name: str) -> Analyzer:
    return analyzer_named(caller, "GetAnalyzer", analyzer_name)


@iam_operation("ListAnalyzers", event_source=EVENT_SOURCE)
def list_analyzers(*, caller: Caller, type: str | None = None, next_token: str | None = None,
                   max_results: int | None = None) -> tuple[list[Analyzer], str | None]:
    authorize_caller(caller, action("ListAnalyzers"), "*")
    rows = Analyzer.objects.filter(account_id=caller.account_id)
    if type is not None:
        if type not in Analyzer.Type.values and type not in UNSUPPORTED_TYPES:
            raise invalid("type", f"type must be one of {', '.join(Analyzer.Type.values)}.")
        rows = rows.filter(type=type)
    return page(rows.order_by("name"), next_token=next_token, max_results=max_results)


@iam_operation("UpdateAnalyzer", event_source=EVENT_SOURCE)
def update_analyzer(*, caller: Caller, analyzer_name: str, configuration: dict | None = None) -> Analyzer:
    analyzer = analyzer_named(caller, "UpdateAnalyzer", analyzer_name, lock=True)
    if configuration is not None:
        if not analyzer.is_unused_access:
            raise invalid("configuration", "Only an unused-access analyzer has a configuration to update.")
        analyzer.unused_access_age, analyzer.exclusions = _unused_access(analyzer.type, configuration)
        analyzer.save(update_fields=["unused_access_age", "exclusions"])
        scheduling.evaluate_soon(analyzer.pk)
    return analyzer


@iam_operation("DeleteAnalyzer", event_source=EVENT_SOURCE)
def delete_analyzer(*, caller: Caller, analyzer_name: str, client_token: str | None = None) -> None:
    analyzer = analyzer_named(caller, "DeleteAnalyzer", analyzer_name, lock=True)
    analyzer.delete()  # its archive rules and findings with it
