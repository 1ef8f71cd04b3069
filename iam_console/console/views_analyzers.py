"""Access Analyzer in the console: the account's analyzers, and each analyzer's findings (filter by status and
type, archive and unarchive, export CSV)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from analyzers.models import Finding
from analyzers.services import analyzers, findings
from iam_console.console.exports import CSV_MAX, csv_response
from iam_console.console.forms import ConsoleForm
from iam_console.console.mixins import ConsoleView
from iam_console.console.plain_errors import plain_message
from iam_console.errors import AccessDenied, IAMError

PAGE_SIZE = 50


class FindingFilterForm(ConsoleForm):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "Any")] + [(value, value.title()) for value in Finding.Status.values])
    finding_type = forms.ChoiceField(label="Finding type", required=False,
                                     choices=[("", "Any")] + list(Finding.Type.choices))


def describe(finding: Finding) -> str:
    """A line saying what the finding found, from its details."""
    detail = next(iter(finding.details[0].values()), {}) if finding.details else {}
    last = detail.get("lastAccessed")
    when = f"last used {last[:10]}" if last else "never used"
    if finding.finding_type == Finding.Type.UNUSED_PERMISSION:
        actions = detail.get("actions") or []
        return f"{detail.get('serviceNamespace', finding.detail_key)}: {len(actions)} unused action(s), service {when}"
    if finding.finding_type == Finding.Type.UNUSED_IAM_USER_ACCESS_KEY:
        return f"Access key {detail.get('accessKeyId', finding.detail_key)}, {when}"
    if finding.finding_type == Finding.Type.UNUSED_IAM_USER_PASSWORD:
        return f"Console password, {when}"
    if finding.finding_type == Finding.Type.UNUSED_IAM_ROLE:
        return f"Role {when}"
    return _external_access(finding, detail)


def _external_access(finding: Finding, detail: dict) -> str:
    """Who outside the zone gets what, whether anyone at all does, under which condition, and whether an RCP
    took some of it away: "Public: AWS *: sts:AssumeRole; when sts:ExternalId = x"."""
    if finding.error:
        return f"Could not be analysed ({finding.error})"
    principal = ", ".join(f"{kind} {value}" for kind, value in (finding.principal or {}).items())
    if not principal:
        return finding.finding_type
    line = f"{'Public: ' if finding.is_public else ''}{principal}: {', '.join(finding.action or [])}"
    if finding.condition:
        line += "; when " + ", ".join(f"{key} = {value}" for key, value in finding.condition.items())
    if detail.get("resourceControlPolicyRestriction") == "APPLIED":
        line += "; a resource control policy restricts it"
    return line


class AnalyzersView(ConsoleView):
    nav = "dashboard"

    def get(self, request: HttpRequest) -> HttpResponse:
        rows, _ = analyzers.list_analyzers(caller=self.caller, max_results=100)
        return self.render("console/analyzers/list.html", {"analyzers": rows})


class FindingsView(ConsoleView):
    nav = "dashboard"

    def _criteria(self, form: FindingFilterForm) -> dict:
        chosen = form.cleaned_data if form.is_valid() else {}
        criteria = {}
        if chosen.get("status"):
            criteria["status"] = {"eq": [chosen["status"]]}
        if chosen.get("finding_type"):
            criteria["findingType"] = {"eq": [chosen["finding_type"]]}
        return criteria

    def get(self, request: HttpRequest, analyzer_name: str) -> HttpResponse:
        analyzer = analyzers.get_analyzer(caller=self.caller, analyzer_name=analyzer_name)
        form = FindingFilterForm(request.GET or None)
        export = request.GET.get("format") == "csv"
        rows, next_token = findings.list_findings_v2(
            caller=self.caller, analyzer_arn=analyzer.arn, filter=self._criteria(form),
            sort={"attributeName": "updatedAt", "orderBy": "DESC"}, next_token=request.GET.get("page") or None,
            max_results=CSV_MAX if export else PAGE_SIZE)
        for row in rows:
            row.summary = describe(row)
        if export:
            return csv_response(f"findings-{analyzer.name}", [
                "Id", "Resource", "Resource type", "Account", "Finding type", "Status", "Details", "Created (UTC)",
                "Updated (UTC)"], ([
                    str(row.id), row.resource, row.resource_type, row.resource_owner_account, row.finding_type,
                    row.status, row.summary, row.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    row.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ")] for row in rows))
        query = request.GET.copy()
        query.pop("page", None)
        return self.render("console/analyzers/findings.html", {
            "analyzer": analyzer, "form": form, "findings": rows, "next_token": next_token,
            "query": query.urlencode()})

    def post(self, request: HttpRequest, analyzer_name: str) -> HttpResponse:
        analyzer = analyzers.get_analyzer(caller=self.caller, analyzer_name=analyzer_name)
        status = Finding.Status.ARCHIVED if request.POST.get("action") == "archive" else Finding.Status.ACTIVE
        ids = request.POST.getlist("ids")
        if not ids:
            messages.error(request, "Choose the findings to change first.")
        else:
            try:
                changed = findings.update_findings(caller=self.caller, analyzer_arn=analyzer.arn, status=status,
                                                   ids=ids)
                messages.success(request, f"{changed} finding(s) {'archived' if status == 'ARCHIVED' else 'active'}.")
            except AccessDenied:
                raise
            except IAMError as failure:
                messages.error(request, plain_message(failure))
        back = reverse("console:analyzer-findings", args=[analyzer.name])
        query = request.POST.get("query", "")
        return redirect(f"{back}?{query}" if query else back)
