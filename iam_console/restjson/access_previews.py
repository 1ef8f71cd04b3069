"""IAM Access Analyzer's access previews through the REST-JSON door: each operation calls analyzers' services."""

from __future__ import annotations

from datetime import datetime

from analyzers.models import AccessPreview
from analyzers.services import access_previews
from iam_console.restjson.registry import operation

SERVICE = "accessanalyzer"


def _paged(items: list, name: str, token: str | None) -> dict:
    return {name: items, "nextToken": token} if token else {name: items}


def preview_summary(preview: AccessPreview) -> dict:
    out = {"id": str(preview.id), "analyzerArn": preview.analyzer.arn, "createdAt": preview.created_at,
           "status": preview.status}
    if preview.status_reason:
        out["statusReason"] = {"code": preview.status_reason}
    return out


@operation(SERVICE, "CreateAccessPreview")
def create_access_preview(caller, params: dict) -> dict:
    preview = access_previews.create_access_preview(caller=caller, analyzer_arn=params["analyzerArn"],
                                                    configurations=params["configurations"],
                                                    client_token=params.get("clientToken"))
    return {"id": str(preview.id)}


@operation(SERVICE, "GetAccessPreview")
def get_access_preview(caller, params: dict) -> dict:
    preview = access_previews.get_access_preview(caller=caller, analyzer_arn=params["analyzerArn"],
                                                 access_preview_id=params["accessPreviewId"])
    return {"accessPreview": {**preview_summary(preview), "configurations": preview.configurations}}


@operation(SERVICE, "ListAccessPreviews")
def list_access_previews(caller, params: dict) -> dict:
    previews, token = access_previews.list_access_previews(caller=caller, analyzer_arn=params["analyzerArn"],
                                                           next_token=params.get("nextToken"),
                                                           max_results=params.get("maxResults"))
    return _paged([preview_summary(preview) for preview in previews], "accessPreviews", token)


@operation(SERVICE, "ListAccessPreviewFindings")
def list_access_preview_findings(caller, params: dict) -> dict:
    findings, token = access_previews.list_access_preview_findings(
        caller=caller, analyzer_arn=params["analyzerArn"], access_preview_id=params["accessPreviewId"],
        filter=params.get("filter"), next_token=params.get("nextToken"), max_results=params.get("maxResults"))
    return _paged([{**item, "createdAt": datetime.fromisoformat(item["createdAt"])} for item in findings],
                  "findings", token)
