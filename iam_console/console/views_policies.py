"""Managed policies: list and search, create, detail with versions and attachments, compare, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from directory.services import attachments, simulation
from iam_console.console.access_advisor import TAB as ADVISOR_TAB
from iam_console.console.access_advisor import access_advisor_context
from iam_console.console.exports import CSV_MAX, csv_response
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_editing import editor_context, findings_of, side_by_side, summary_rows
from iam_console.console.policy_forms import PolicyCreateForm, PolicyVersionForm
from iam_console.console.policy_search import search_policies
from iam_console.errors import AccessDenied, IAMError, ValidationError
from policies.authorization import caller_may
from policies.models import ManagedPolicy
from policies.services import managed

PAGE_SIZE = 50
TABS = [("permissions", "Permissions"), ("versions", "Policy versions"), ("entities", "Entities attached"), ADVISOR_TAB]
POLICY_FIELDS = {"policy ceiling": "document", "policyName": "policy_name", "A policy called": "policy_name",
                 "path": "path", "description": "description", "MalformedPolicyDocument": "document",
                 "policy_document": "document"}


def detail_url(policy: ManagedPolicy, **query: str) -> str:
    url = reverse("console:policy-detail", args=[policy.arn])
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{url}?{params}" if params else url


class PolicyListView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        scope = request.GET.get("scope", "All")
        usage = request.GET.get("usage", "any")
        error = None
        try:
            page = search_policies(caller=self.caller, name_contains=q, scope=scope, usage=usage,
                                   marker=request.GET.get("marker") or None,
                                   max_items=CSV_MAX if request.GET.get("format") == "csv" else PAGE_SIZE)
        except ValidationError as invalid:
            page, error = None, invalid
        if page and request.GET.get("format") == "csv":
            return csv_response("policies", ["Policy name", "Path", "ARN", "Type", "Attachments", "Description"], (
                [p.policy_name, p.path, p.arn, "Product managed" if p.is_system else "Customer managed",
                 p.attachment_count, p.description] for p in page.items))
        query = request.GET.copy()
        query.pop("marker", None)
        return self.render("console/policies/list.html", {
            "policies": page.items if page else [], "next_marker": page.next_marker if page else None,
            "q": q, "scope": scope, "usage": usage, "query": query.urlencode(), "error": error,
            "scopes": [("All", "All types"), ("AWS", "Shipped with the product"), ("Local", "Customer managed")],
            "usages": [("any", "Any use"), ("attached", "Attached"), ("unattached", "Not attached")],
            "may_create": self.may_create("iam:CreatePolicy", "policy")})



class PolicyCreateView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PolicyCreateForm()
        return self._page(form, form["document"].initial)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PolicyCreateForm(request.POST)
        findings: list[dict] = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                policy = managed.create_policy(caller=self.caller, policy_name=data["policy_name"],
                                               path=data["path"] or "/", description=data["description"],
                                               policy_document=data["document"])
            except AccessDenied:
                raise
            except IAMError as error:
                findings = findings_of(error)
                apply_error(form, error, POLICY_FIELDS)
            else:
                messages.success(request, f"Policy {policy.policy_name} created.")
                return redirect(detail_url(policy))
        return self._page(form, request.POST.get("document", ""), findings, status=400)

    def _page(self, form, document: str, findings=None, status: int = 200) -> HttpResponse:
        return self.render("console/policies/create.html", {"form": form, **editor_context(document,
                                                                                            findings=findings)},
                           status=status)


class PolicyDetailView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        caller = self.caller
        policy = managed.get_policy(caller=caller, policy_arn=policy_arn)
        tab = request.GET.get("tab", "permissions")
        tab = tab if tab in dict(TABS) else "permissions"
        version_id = request.GET.get("version") or policy.default_version_id
        version = managed.get_policy_version(caller=caller, policy_arn=policy.arn, version_id=version_id)
        try:
            line = int(request.GET.get("line", "")) or None
        except ValueError:
            line = None
        context = {"policy": policy, "version": version, "tab": tab, "tabs": TABS,
                   "editable": not policy.is_system,
                   "may_edit": not policy.is_system and caller_may(caller, "iam:CreatePolicyVersion", policy.arn),
                   "may_delete": not policy.is_system and caller_may(caller, "iam:DeletePolicy", policy.arn),
                   **editor_context(version.document, readonly=True, line=line)}
        if tab == "versions":
            context["versions"] = managed.list_policy_versions(caller=caller, policy_arn=policy.arn)
        if tab == "entities":
            context["entities"] = attachments.list_entities_for_policy(caller=caller, policy_arn=policy.arn)
        if tab == ADVISOR_TAB[0]:
            context.update(access_advisor_context(self, policy.arn), advisor_policy=True)
        return self.render("console/policies/detail.html", context)


class PolicyVersionActionView(ConsoleView):
    """Set a version as the default, or delete a version (confirmed in the page first)."""

    nav = "policies"

    def post(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        version_id = request.POST.get("version_id", "")
        try:
            if request.POST.get("action") == "delete":
                managed.delete_policy_version(caller=self.caller, policy_arn=policy.arn, version_id=version_id)
                messages.success(request, f"Version {version_id} deleted.")
            else:
                managed.set_default_policy_version(caller=self.caller, policy_arn=policy.arn, version_id=version_id)
                messages.success(request, f"Version {version_id} is now the default version.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(detail_url(policy, tab="versions"))


class PolicyNewVersionView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        base = request.GET.get("from") or policy.default_version_id
        version = managed.get_policy_version(caller=self.caller, policy_arn=policy.arn, version_id=base)
        form = PolicyVersionForm(initial={"set_as_default": True, "document": version.document})
        return self._page(policy, form, version.document, base=base)

    def post(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        form = PolicyVersionForm(request.POST)
        findings: list[dict] = []
        if form.is_valid():
            try:
                version = managed.create_policy_version(caller=self.caller, policy_arn=policy.arn,
                                                        policy_document=form.cleaned_data["document"],
                                                        set_as_default=form.cleaned_data["set_as_default"])
            except AccessDenied:
                raise
            except IAMError as error:
                findings = findings_of(error)
                apply_error(form, error, POLICY_FIELDS)
            else:
                default = " and set as the default" if version.is_default_version else ""
                messages.success(request, f"Version {version.version_id} of {policy.policy_name} created{default}.")
                return redirect(detail_url(policy, tab="versions", version=version.version_id))
        return self._page(policy, form, request.POST.get("document", ""), findings, status=400)

    def _page(self, policy, form, document: str, findings=None, *, base: str = "", status: int = 200):
        return self.render("console/policies/new_version.html", {
            "policy": policy, "form": form, "base": base, "comparable": self._comparable(policy),
            "cancel": detail_url(policy), **editor_context(document, findings=findings)}, status=status)

    def _comparable(self, policy) -> list[dict]:
        """The versions "Check no new access" compares the draft with, default first; none for a caller who may not
        read them (the check is then not offered)."""
        try:
            versions = managed.list_policy_versions(caller=self.caller, policy_arn=policy.arn)
        except AccessDenied:
            return []
        versions.sort(key=lambda version: not version.is_default_version)
        return [{"version_id": v.version_id, "label": f"{v.version_id} (default)" if v.is_default_version else v.version_id,
                 "default": v.is_default_version, "document": v.document} for v in versions]


class PolicyCompareView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        versions = managed.list_policy_versions(caller=self.caller, policy_arn=policy.arn)
        ids = [v.version_id for v in versions]
        left_id = request.GET.get("left") or (ids[1] if len(ids) > 1 else ids[0])
        right_id = request.GET.get("right") or ids[0]
        left = managed.get_policy_version(caller=self.caller, policy_arn=policy.arn, version_id=left_id)
        right = managed.get_policy_version(caller=self.caller, policy_arn=policy.arn, version_id=right_id)
        rows = side_by_side(left.document, right.document)
        return self.render("console/policies/compare.html", {
            "policy": policy, "versions": versions, "left": left, "right": right, "rows": rows,
            "changes": sum(1 for row in rows if row.kind != "same")})


class PolicyDeleteView(ConsoleView):
    nav = "policies"

    def get(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        return self._page(policy_arn)

    def post(self, request: HttpRequest, policy_arn: str) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        if request.POST.get("confirm_name", "").strip().lower() != policy.policy_name.lower():
            return self._page(policy_arn, error="Type the policy name to confirm.", status=400)
        try:
            managed.delete_policy(caller=self.caller, policy_arn=policy.arn)
        except AccessDenied:
            raise
        except IAMError as error:
            return self._page(policy_arn, error=plain_message(error), status=409)
        messages.success(request, f"Policy {policy.policy_name} deleted.")
        return redirect("console:policies")

    def _page(self, policy_arn: str, *, error: str = "", status: int = 200) -> HttpResponse:
        policy = managed.get_policy(caller=self.caller, policy_arn=policy_arn)
        entities = attachments.list_entities_for_policy(caller=self.caller, policy_arn=policy.arn)
        versions = managed.list_policy_versions(caller=self.caller, policy_arn=policy.arn)
        return self.render("console/policies/delete.html", {
            "policy": policy, "entities": entities, "error": error,
            "other_versions": [v for v in versions if not v.is_default_version]}, status=status)


class PolicySummaryView(ConsoleView):
    """The editor's policy summary for the text being typed (fetched when the document is valid)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        document = request.POST.get("document", "")
        policy_type = request.POST.get("policy_type", "IDENTITY_POLICY")
        try:
            # Validation is what the editor is allowed to do with an unsaved document: it authorizes.
            outcome = simulation.validate_policy(caller=self.caller, policy_document=document, policy_type=policy_type)
        except ValidationError as error:
            return HttpResponse(error.message, status=400, content_type="text/plain")
        return self.render("console/policies/_summary.html", {
            "summary": summary_rows(document) if outcome.valid else None})
