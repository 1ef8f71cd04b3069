"""Access previews: the external access findings that proposed resource policies would produce, beside the findings
the analyzer reports now (each NEW, CHANGED or UNCHANGED, and existing ones the proposal would resolve).

A role's proposed trust policy gets the analyzer's own analysis (trust_access), so a preview says what the next
evaluation will. The directory holds no S3 bucket, queue, key or secret, so for those it reports each Allow
statement's principals outside the zone of trust with the statement's actions and conditions, and whether the
policy grants public access as CheckNoPublicAccess decides it; Deny statements are weighed only for public access.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from analyzers import filters
from analyzers.external_access import analyzer_zone, detail_key
from analyzers.models import Analyzer, Finding
from analyzers.trust_access import (
    ROLE_RESOURCE_TYPE,
    ExternalAccess,
    _candidates,
    _condition_map,
    account_of,
    analyze_trust_policy,
)
from analyzers.zones import ZoneOfTrust
from policies.guardrail_loading import account_guardrails
from policies.language.access_checks import (
    PUBLIC_ACCESS_RESOURCE_TYPES,
    PolicyCheckError,
    check_no_public_access,
)
from policies.language.parser import parse_policy

# Configuration member -> (CloudFormation resource type, the member holding its policy; None: no policy).
RESOURCE_TYPES: dict[str, tuple[str, str | None]] = {
    "iamRole": (ROLE_RESOURCE_TYPE, "trustPolicy"),
    "s3Bucket": ("AWS::S3::Bucket", "bucketPolicy"),
    "s3ExpressDirectoryBucket": ("AWS::S3Express::DirectoryBucket", "bucketPolicy"),
    "sqsQueue": ("AWS::SQS::Queue", "queuePolicy"),
    "snsTopic": ("AWS::SNS::Topic", "topicPolicy"),
    "kmsKey": ("AWS::KMS::Key", "keyPolicies"),
    "secretsManagerSecret": ("AWS::SecretsManager::Secret", "secretPolicy"),
    "ecrRepository": ("AWS::ECR::Repository", "repositoryPolicy"),
    "efsFileSystem": ("AWS::EFS::FileSystem", "fileSystemPolicy"),
    "dynamodbTable": ("AWS::DynamoDB::Table", "tablePolicy"),
    "dynamodbStream": ("AWS::DynamoDB::Stream", "streamPolicy"),
    "ebsSnapshot": ("AWS::EC2::Snapshot", None),
    "rdsDbSnapshot": ("AWS::RDS::DBSnapshot", None),
    "rdsDbClusterSnapshot": ("AWS::RDS::DBClusterSnapshot", None),
}


class InvalidConfiguration(Exception):
    """A proposed policy the analysis cannot read: the preview FAILS with INVALID_CONFIGURATION, as AWS's does."""


def _policies(kind: str, settings: Mapping[str, Any]) -> list[str]:
    member = RESOURCE_TYPES[kind][1]
    if member is None:
        return []
    value = settings.get(member)
    if value is None:
        return []
    return list(value.values()) if isinstance(value, Mapping) else [value]


def _statement_access(document: str, resource_type: str, zone: ZoneOfTrust) -> list[ExternalAccess]:
    parsed = parse_policy(document)
    if parsed.document is None:
        raise InvalidConfiguration(resource_type)
    public: set[int | None] = set()
    if resource_type in PUBLIC_ACCESS_RESOURCE_TYPES:
        try:
            public = {reason.statement_index for reason in check_no_public_access(document, resource_type).reasons}
        except PolicyCheckError:
            raise InvalidConfiguration(resource_type) from None
    found: dict[str, ExternalAccess] = {}
    for statement in parsed.document.statements:
        if not statement.is_allow:
            continue
        actions = tuple(sorted({a.value for a in statement.action or ()})) or ("*",)
        for principal, _patterns, any_aws in _candidates(statement, zone):
            access = ExternalAccess(principal, actions, _condition_map(statement),
                                    any_aws and statement.index in public)
            earlier = found.get(access.key)
            if earlier is not None:
                access = ExternalAccess(principal, tuple(sorted(set(earlier.actions) | set(actions))),
                                        {**earlier.condition, **access.condition},
                                        earlier.is_public or access.is_public)
            found[access.key] = access
    return sorted(found.values(), key=lambda a: a.key)


def proposed_access(analyzer: Analyzer, resource_arn: str, kind: str, settings: Mapping[str, Any]
                    ) -> list[ExternalAccess]:
    zone = analyzer_zone(analyzer)
    resource_type = RESOURCE_TYPES[kind][0]
    found: list[ExternalAccess] = []
    for document in _policies(kind, settings):
        if kind == "iamRole":
            if parse_policy(document).document is None:
                raise InvalidConfiguration(resource_type)
            owner = account_of(resource_arn) or analyzer.account_id
            guardrails = account_guardrails(owner)
            found += analyze_trust_policy(document, role_arn=resource_arn, zone=zone,
                                          rcps=guardrails.rcps if guardrails is not None else ())
        else:
            found += _statement_access(document, resource_type, zone)
    return found


def _preview_finding(finding_id: str, resource_arn: str, resource_type: str, owner: str, now: datetime,
                     change: str, status: str, existing: Finding | None, **content: Any) -> dict:
    out = {"id": finding_id, "resource": resource_arn, "resourceType": resource_type, "resourceOwnerAccount": owner,
           "createdAt": now.isoformat(), "changeType": change, "status": status, **content}
    if existing is not None:
        out.update(existingFindingId=str(existing.id), existingFindingStatus=existing.status)
    return out


def preview_findings(analyzer: Analyzer, configurations: Mapping[str, Mapping[str, Any]], now: datetime
                     ) -> list[dict]:
    """AccessPreviewFinding members for every resource of the proposal. Raises InvalidConfiguration."""
    rules = [rule.filter for rule in analyzer.archive_rules.all()]
    out: list[dict] = []
    for resource_arn, configuration in configurations.items():
        ((kind, settings),) = configuration.items()
        resource_type = RESOURCE_TYPES[kind][0]
        owner = account_of(resource_arn) or analyzer.account_id
        existing = {f.detail_key: f for f in Finding.objects.filter(
            analyzer=analyzer, resource=resource_arn, finding_type=Finding.Type.EXTERNAL_ACCESS).exclude(
            status=Finding.Status.RESOLVED)}
        for access in proposed_access(analyzer, resource_arn, kind, settings or {}):
            content = {"principal": access.principal, "action": list(access.actions),
                       "condition": access.condition, "isPublic": access.is_public,
                       "resourceControlPolicyRestriction": access.rcp_restriction}
            old = existing.pop(detail_key(access), None)
            if old is None:
                candidate = Finding(analyzer=analyzer, resource=resource_arn, resource_type=resource_type,
                                    resource_owner_account=owner, finding_type=Finding.Type.EXTERNAL_ACCESS,
                                    principal=access.principal, action=list(access.actions),
                                    condition=access.condition, is_public=access.is_public)
                archived = any(filters.matches(candidate, filters.validate(rule)) for rule in rules)
                status = Finding.Status.ARCHIVED if archived else Finding.Status.ACTIVE
                out.append(_preview_finding(str(uuid.uuid4()), resource_arn, resource_type, owner, now, "NEW",
                                            status, None, **content))
                continue
            same = (old.principal, old.action, old.condition, old.is_public) == (
                access.principal, list(access.actions), access.condition, access.is_public)
            out.append(_preview_finding(str(uuid.uuid4()), resource_arn, resource_type, owner, now,
                                        "UNCHANGED" if same else "CHANGED", old.status, old, **content))
        for old in existing.values():  # access the proposal takes away: the finding would resolve
            out.append(_preview_finding(str(uuid.uuid4()), resource_arn, resource_type, owner, now, "CHANGED",
                                        Finding.Status.RESOLVED, old, principal=old.principal, action=old.action,
                                        condition=old.condition, isPublic=old.is_public))
    return out
