"""TagResource, UntagResource, ListTagsForResource: tags on analyzers and archive rules, named by ARN."""

from __future__ import annotations

from analyzers.access import ANALYZER_RESOURCE, EVENT_SOURCE, action, parse_arn, rule_of
from analyzers.errors import invalid, not_found
from analyzers.models import Analyzer, ArchiveRule
from analyzers.tagging import merged
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from policies.authorization import authorize_caller


def _tagged(caller: Caller, operation: str, resource_arn: str, *, lock: bool = False) -> Analyzer | ArchiveRule:
    account, name, rule_name = parse_arn(resource_arn, "resourceArn")
    authorize_caller(caller, action(operation), resource_arn)
    rows = Analyzer.objects.filter(account_id=account, name=name)
    analyzer = (rows.select_for_update() if lock else rows).first() if account == caller.account_id else None
    if analyzer is None:
        raise not_found(resource_arn, ANALYZER_RESOURCE, f"{resource_arn} does not exist.")
    return rule_of(analyzer, rule_name, lock=lock) if rule_name else analyzer


@iam_operation("TagResource", event_source=EVENT_SOURCE)
def tag_resource(*, caller: Caller, resource_arn: str, tags: dict) -> None:
    target = _tagged(caller, "TagResource", resource_arn, lock=True)
    target.tags = merged(target.tags, tags)
    target.save(update_fields=["tags"])


@iam_operation("UntagResource", event_source=EVENT_SOURCE)
def untag_resource(*, caller: Caller, resource_arn: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not all(isinstance(key, str) for key in tag_keys):
        raise invalid("tagKeys", "tagKeys is a list of tag keys.")
    target = _tagged(caller, "UntagResource", resource_arn, lock=True)
    target.tags = {key: value for key, value in target.tags.items() if key not in tag_keys}
    target.save(update_fields=["tags"])


@iam_operation("ListTagsForResource", event_source=EVENT_SOURCE)
def list_tags_for_resource(*, caller: Caller, resource_arn: str) -> dict[str, str]:
    return dict(_tagged(caller, "ListTagsForResource", resource_arn).tags)
