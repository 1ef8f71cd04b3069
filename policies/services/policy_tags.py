"""Tags on customer managed policies: TagPolicy, UntagPolicy, ListPolicyTags."""

from __future__ import annotations

from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import validate_tag_key, validate_tags
from policies.authorization import Caller, authorize_caller
from policies.models import PolicyTag
from policies.services.managed import customer_policy, policy_by_arn


@iam_operation("TagPolicy")
def tag_policy(*, caller: Caller, policy_arn: str, tags: list[dict]) -> list[PolicyTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)  # the lock keeps the 50-tag quota exact
    authorize_caller(caller, "iam:TagPolicy", policy.arn, request_tag_context(tag_map))
    return merge_tags(PolicyTag, {"policy": policy}, tag_map, quota_name="TagsPerPolicy")


@iam_operation("UntagPolicy")
def untag_policy(*, caller: Caller, policy_arn: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    policy = customer_policy(caller.account_id, policy_arn, for_update=True)
    authorize_caller(caller, "iam:UntagPolicy", policy.arn, {"aws:TagKeys": keys})
    remove_tags(PolicyTag, {"policy": policy}, keys)


@iam_operation("ListPolicyTags")
def list_policy_tags(*, caller: Caller, policy_arn: str) -> list[PolicyTag]:
    policy = policy_by_arn(caller.account_id, policy_arn)
    authorize_caller(caller, "iam:ListPolicyTags", policy.arn)
    return list(PolicyTag.objects.filter(policy=policy))
