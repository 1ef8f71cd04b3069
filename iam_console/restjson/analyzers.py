"""IAM Access Analyzer's analyzers, archive rules and findings on the REST-JSON door: each handler translates the
model's members to a service call in the analyzers app and its result to the output shape."""

from __future__ import annotations

from analyzers.models import Analyzer, ArchiveRule, Finding
from analyzers.services import analyzers, archive_rules, findings, tags
from iam_console.restjson.registry import operation

SERVICE = "accessanalyzer"


def analyzer_summary(analyzer: Analyzer) -> dict:
    summary = {"arn": analyzer.arn, "name": analyzer.name, "type": analyzer.type, "createdAt": analyzer.created_at,
               "status": analyzer.status, "tags": analyzer.tags,
               "lastResourceAnalyzed": analyzer.last_resource_analyzed or None,
               "lastResourceAnalyzedAt": analyzer.last_resource_analyzed_at}
    configuration = analyzers.configuration_of(analyzer)
    if configuration is not None:
        summary["configuration"] = configuration
    return {key: value for key, value in summary.items() if value is not None}


def archive_rule_summary(rule: ArchiveRule) -> dict:
    return {"ruleName": rule.name, "filter": rule.filter, "createdAt": rule.created_at, "updatedAt": rule.updated_at}


def _common(finding: Finding) -> dict:
    summary = {"id": str(finding.id), "resource": finding.resource, "resourceType": finding.resource_type,
               "resourceOwnerAccount": finding.resource_owner_account, "status": finding.status,
               "createdAt": finding.created_at, "updatedAt": finding.updated_at, "analyzedAt": finding.analyzed_at}
    if finding.error:
        summary["error"] = finding.error
    return summary


def finding_v1(finding: Finding) -> dict:
    """FindingSummary / Finding: an external access finding with who gets what, under which condition."""
    summary = {**_common(finding), "principal": finding.principal, "action": finding.action,
               "condition": finding.condition or {}, "sources": finding.sources}
    if finding.is_public is not None:
        summary["isPublic"] = finding.is_public
    restriction = next((d["externalAccessDetails"].get("resourceControlPolicyRestriction") for d in finding.details
                        if isinstance(d, dict) and "externalAccessDetails" in d), None)
    if restriction is not None:
        summary["resourceControlPolicyRestriction"] = restriction
    return summary


def finding_v2(finding: Finding) -> dict:
    return {**_common(finding), "findingType": finding.finding_type}


@operation(SERVICE, "CreateAnalyzer")
def create_analyzer(caller, params: dict) -> dict:
    analyzer = analyzers.create_analyzer(
        caller=caller, analyzer_name=params["analyzerName"], type=params["type"],
        archive_rules=params.get("archiveRules"), tags=params.get("tags"),
        configuration=params.get("configuration"), client_token=params.get("clientToken"))
    return {"arn": analyzer.arn}


@operation(SERVICE, "GetAnalyzer")
def get_analyzer(caller, params: dict) -> dict:
    return {"analyzer": analyzer_summary(analyzers.get_analyzer(caller=caller,
                                                                analyzer_name=params["analyzerName"]))}


@operation(SERVICE, "ListAnalyzers")
def list_analyzers(caller, params: dict) -> dict:
    rows, token = analyzers.list_analyzers(caller=caller, type=params.get("type"),
                                           next_token=params.get("nextToken"), max_results=params.get("maxResults"))
    return {"analyzers": [analyzer_summary(row) for row in rows], "nextToken": token}


@operation(SERVICE, "UpdateAnalyzer")
def update_analyzer(caller, params: dict) -> dict:
    analyzer = analyzers.update_analyzer(caller=caller, analyzer_name=params["analyzerName"],
                                         configuration=params.get("configuration"))
    return {"configuration": analyzers.configuration_of(analyzer)}


@operation(SERVICE, "DeleteAnalyzer")
def delete_analyzer(caller, params: dict) -> dict:
    analyzers.delete_analyzer(caller=caller, analyzer_name=params["analyzerName"],
                              client_token=params.get("clientToken"))
    return {}


@operation(SERVICE, "CreateArchiveRule")
def create_archive_rule(caller, params: dict) -> dict:
    archive_rules.create_archive_rule(caller=caller, analyzer_name=params["analyzerName"],
                                      rule_name=params["ruleName"], filter=params["filter"],
                                      client_token=params.get("clientToken"))
    return {}


@operation(SERVICE, "GetArchiveRule")
def get_archive_rule(caller, params: dict) -> dict:
    rule = archive_rules.get_archive_rule(caller=caller, analyzer_name=params["analyzerName"],
                                          rule_name=params["ruleName"])
    return {"archiveRule": archive_rule_summary(rule)}


@operation(SERVICE, "ListArchiveRules")
def list_archive_rules(caller, params: dict) -> dict:
    rows, token = archive_rules.list_archive_rules(caller=caller, analyzer_name=params["analyzerName"],
                                                   next_token=params.get("nextToken"),
                                                   max_results=params.get("maxResults"))
    return {"archiveRules": [archive_rule_summary(row) for row in rows], "nextToken": token}


@operation(SERVICE, "UpdateArchiveRule")
def update_archive_rule(caller, params: dict) -> dict:
    archive_rules.update_archive_rule(caller=caller, analyzer_name=params["analyzerName"],
                                      rule_name=params["ruleName"], filter=params["filter"],
                                      client_token=params.get("clientToken"))
    return {}


@operation(SERVICE, "DeleteArchiveRule")
def delete_archive_rule(caller, params: dict) -> dict:
    archive_rules.delete_archive_rule(caller=caller, analyzer_name=params["analyzerName"],
                                      rule_name=params["ruleName"], client_token=params.get("clientToken"))
    return {}


@operation(SERVICE, "ApplyArchiveRule")
def apply_archive_rule(caller, params: dict) -> dict:
    archive_rules.apply_archive_rule(caller=caller, analyzer_arn=params["analyzerArn"], rule_name=params["ruleName"],
                                     client_token=params.get("clientToken"))
    return {}


def _listing(params: dict) -> dict:
    return {"analyzer_arn": params["analyzerArn"], "filter": params.get("filter"), "sort": params.get("sort"),
            "next_token": params.get("nextToken"), "max_results": params.get("maxResults")}


@operation(SERVICE, "ListFindings")
def list_findings(caller, params: dict) -> dict:
    rows, token = findings.list_findings(caller=caller, **_listing(params))
    return {"findings": [finding_v1(row) for row in rows], "nextToken": token}


@operation(SERVICE, "ListFindingsV2")
def list_findings_v2(caller, params: dict) -> dict:
    rows, token = findings.list_findings_v2(caller=caller, **_listing(params))
    return {"findings": [finding_v2(row) for row in rows], "nextToken": token}


@operation(SERVICE, "GetFinding")
def get_finding(caller, params: dict) -> dict:
    return {"finding": finding_v1(findings.get_finding(caller=caller, analyzer_arn=params["analyzerArn"],
                                                       id=params["id"]))}


@operation(SERVICE, "GetFindingV2")
def get_finding_v2(caller, params: dict) -> dict:
    finding, details, token = findings.get_finding_v2(
        caller=caller, analyzer_arn=params["analyzerArn"], id=params["id"], max_results=params.get("maxResults"),
        next_token=params.get("nextToken"))
    return {**finding_v2(finding), "findingDetails": details, "nextToken": token}


@operation(SERVICE, "UpdateFindings")
def update_findings(caller, params: dict) -> dict:
    findings.update_findings(caller=caller, analyzer_arn=params["analyzerArn"], status=params["status"],
                             ids=params.get("ids"), resource_arn=params.get("resourceArn"),
                             client_token=params.get("clientToken"))
    return {}


@operation(SERVICE, "GetFindingsStatistics")
def get_findings_statistics(caller, params: dict) -> dict:
    return findings.get_findings_statistics(caller=caller, analyzer_arn=params["analyzerArn"])


@operation(SERVICE, "StartResourceScan")
def start_resource_scan(caller, params: dict) -> dict:
    findings.start_resource_scan(caller=caller, analyzer_arn=params["analyzerArn"],
                                 resource_arn=params["resourceArn"],
                                 resource_owner_account=params.get("resourceOwnerAccount"))
    return {}


@operation(SERVICE, "TagResource")
def tag_resource(caller, params: dict) -> dict:
    tags.tag_resource(caller=caller, resource_arn=params["resourceArn"], tags=params["tags"])
    return {}


@operation(SERVICE, "UntagResource")
def untag_resource(caller, params: dict) -> dict:
    tags.untag_resource(caller=caller, resource_arn=params["resourceArn"], tag_keys=params["tagKeys"])
    return {}


@operation(SERVICE, "ListTagsForResource")
def list_tags_for_resource(caller, params: dict) -> dict:
    return {"tags": tags.list_tags_for_resource(caller=caller, resource_arn=params["resourceArn"])}
