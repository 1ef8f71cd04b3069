"""IAM Access Analyzer's analysed resources on the REST-JSON door: ListAnalyzedResources and GetAnalyzedResource,
translated to the analyzers app's services."""

from __future__ import annotations

from analyzers.services import analyzed_resources
from iam_console.restjson.registry import operation

SERVICE = "accessanalyzer"


@operation(SERVICE, "ListAnalyzedResources")
def list_analyzed_resources(caller, params: dict) -> dict:
    rows, token = analyzed_resources.list_analyzed_resources(
        caller=caller, analyzer_arn=params["analyzerArn"], resource_type=params.get("resourceType"),
        next_token=params.get("nextToken"), max_results=params.get("maxResults"))
    return {"analyzedResources": [{"resourceArn": arn, "resourceOwnerAccount": owner, "resourceType": kind}
                                  for arn, owner, kind in rows], "nextToken": token}


@operation(SERVICE, "GetAnalyzedResource")
def get_analyzed_resource(caller, params: dict) -> dict:
    found = analyzed_resources.get_analyzed_resource(caller=caller, analyzer_arn=params["analyzerArn"],
                                                     resource_arn=params["resourceArn"])
    resource = {"resourceArn": found.resource_arn, "resourceType": analyzed_resources.ROLE_RESOURCE_TYPE,
                "resourceOwnerAccount": found.resource_owner_account, "createdAt": found.created_at,
                "analyzedAt": found.analyzed_at, "updatedAt": found.updated_at, "isPublic": found.is_public,
                "actions": found.actions, "status": found.status}
    return {"resource": {key: value for key, value in resource.items() if value is not None}}
