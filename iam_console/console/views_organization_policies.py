"""SCPs and RCPs: the list by type, create and edit in the policy editor (validated as typed, with its summary),
attach to and detach from the root, OUs and accounts, and what attaching an SCP would take away."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iam_console.console.mixins import apply_error
from iam_console.console.organization_forms import (
    GUARDRAIL_START,
    POLICY_TYPES,
    AttachForm,
    GuardrailPolicyForm,
)
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_editing import editor_context
from iam_console.console.views_organization import OrganizationConsoleView
from iam_console.errors import AccessDenied, IAMError
from organizations.errors import AccessDeniedException
from organizations.services import impact, policies, tree

TYPE_NAMES = dict(POLICY_TYPES)
PAGE_SIZE = 50
ATTACH_REFUSALS = ("DuplicatePolicyAttachmentException", "ConstraintViolationException",
                   "PolicyTypeNotEnabledException", "TargetNotFoundException")
POLICY_FIELDS = {"DuplicatePolicyException": "name", "MalformedPolicyDocumentException": "document"}


def _policy_type(request: HttpRequest) -> str:
    kind = request.GET.get("type", "SERVICE_CONTROL_POLICY")
    return kind if kind in TYPE_NAMES else "SERVICE_CONTROL_POLICY"


class PolicyListView(OrganizationConsoleView):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = _policy_type(request)
        _, found, token = policies.list_policies(caller=self.caller, filter=kind, next_token=request.GET.get(
            "marker") or None, max_results=PAGE_SIZE)
        return self.render("console/organization/policies.html", {
            "policies": found, "kind": kind, "kind_name": TYPE_NAMES[kind], "types": POLICY_TYPES,
            "next_marker": token})


class PolicyCreateView(OrganizationConsoleView):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = _policy_type(request)
        return self._page(GuardrailPolicyForm(initial={"document": GUARDRAIL_START[kind]}), kind)

    def post(self, request: HttpRequest) -> HttpResponse:
        kind = _policy_type(request)
        form = GuardrailPolicyForm(request.POST)
        if form.is_valid():
            try:
                made = policies.create_policy(caller=self.caller, content=form.cleaned_data["document"],
                                              description=form.cleaned_data["description"],
                                              name=form.cleaned_data["name"], policy_type=kind)
            except (AccessDenied, AccessDeniedException):
                raise
            except IAMError as error:
                apply_error(form, error, POLICY_FIELDS)
            else:
                messages.success(request, f"{made.policy.name} created. Attach it to a root, OU or account to "
                                          "put it in force.")
                return redirect("console:organization-policy", policy_id=made.policy.id)
        return self._page(form, kind, status=400)

    def _page(self, form, kind: str, status: int = 200) -> HttpResponse:
        return self.render("console/organization/policy_create.html", {
            "form": form, "kind": kind, "kind_name": TYPE_NAMES[kind],
            **editor_context(form["document"].value() or "", policy_type=kind)}, status=status)


class PolicyDetailView(OrganizationConsoleView):
    def get(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        found = policies.describe_policy(caller=self.caller, policy_id=policy_id).policy
        form = GuardrailPolicyForm(initial={"name": found.name, "description": found.description,
                                            "document": found.content})
        return policy_page(self, found, form)

    def post(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        """Save a new name, description or content: in force for the next request wherever it is attached."""
        found = policies.describe_policy(caller=self.caller, policy_id=policy_id).policy
        form = GuardrailPolicyForm(request.POST)
        if form.is_valid():
            try:
                policies.update_policy(caller=self.caller, policy_id=policy_id, name=form.cleaned_data["name"],
                                       description=form.cleaned_data["description"],
                                       content=form.cleaned_data["document"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, POLICY_FIELDS)
            else:
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return redirect("console:organization-policy", policy_id=policy_id)
        return policy_page(self, found, form, status=400)


def policy_page(view: OrganizationConsoleView, found, form, *, attach_form=None, status: int = 200) -> HttpResponse:
    """The policy in the editor, its targets (each with Detach) and the attach form with its errors."""
    _, targets, _ = policies.list_targets_for_policy(caller=view.caller, policy_id=found.id)
    organization_tree = tree.organization_tree(caller=view.caller)
    names = {organization_tree.root.id: "Root", **{node.id: node.name for node in organization_tree.units},
             **{node.id: node.name for node in organization_tree.accounts}}
    return view.render("console/organization/policy.html", {
        "policy": found, "form": form, "kind_name": TYPE_NAMES.get(found.policy_type, found.policy_type),
        "targets": [{"id": target.target_id, "name": names.get(target.target_id, target.target_id)}
                    for target in targets],
        "attach_form": attach_form or AttachForm(tree=organization_tree),
        "enabled": found.policy_type in organization_tree.organization.enabled_policy_types,
        **editor_context(form["document"].value() or "", policy_type=found.policy_type,
                         readonly=found.aws_managed)}, status=status)


class PolicyAttachView(OrganizationConsoleView):
    def post(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        found = policies.describe_policy(caller=self.caller, policy_id=policy_id).policy
        form = AttachForm(request.POST, tree=tree.organization_tree(caller=self.caller))
        if form.is_valid():
            try:
                policies.attach_policy(caller=self.caller, policy_id=policy_id,
                                       target_id=form.cleaned_data["target_id"])
            except (AccessDenied, AccessDeniedException):
                raise
            except IAMError as error:
                apply_error(form, error, dict.fromkeys(ATTACH_REFUSALS, "target_id"))
            else:
                messages.success(request, f"{found.name} attached to {form.cleaned_data['target_id']}.")
                return redirect("console:organization-policy", policy_id=policy_id)
        return policy_page(self, found, GuardrailPolicyForm(initial={
            "name": found.name, "description": found.description, "document": found.content}),
            attach_form=form, status=400)


class PolicyDetachView(OrganizationConsoleView):
    def post(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        target_id = request.POST.get("target_id", "")
        try:
            policies.detach_policy(caller=self.caller, policy_id=policy_id, target_id=target_id)
        except (AccessDenied, AccessDeniedException):
            raise
        except IAMError as error:
            messages.error(request, _detach_refusal(error))
        else:
            messages.success(request, f"Detached from {target_id}.")
        return redirect("console:organization-policy", policy_id=policy_id)


def _detach_refusal(error: IAMError) -> str:
    """The min-one-SCP rule, in plain words."""
    if getattr(error, "fields", {}).get("Reason") == "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED":
        return ("Every root, OU and account keeps at least one policy of each enabled type: attach another one "
                "(FullAWSAccess, say) to this target before detaching this one.")
    return plain_message(error)


class PolicyDeleteView(OrganizationConsoleView):
    def post(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        try:
            policies.delete_policy(caller=self.caller, policy_id=policy_id)
        except (AccessDenied, AccessDeniedException):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
            return redirect("console:organization-policy", policy_id=policy_id)
        messages.success(request, f"Policy {policy_id} deleted.")
        return redirect("console:organization-policies")


class PolicyImpactView(OrganizationConsoleView):
    """Before attaching: which principals of which accounts would lose which actions they used in 90 days."""

    def get(self, request: HttpRequest, policy_id: str) -> HttpResponse:
        found = policies.describe_policy(caller=self.caller, policy_id=policy_id).policy
        target_id = request.GET.get("target_id", "")
        result = impact.attachment_impact(caller=self.caller, policy_id=policy_id, target_id=target_id)
        return self.render("console/organization/impact.html", {"policy": found, "impact": result,
                                                                "lookback": impact.LOOKBACK_DAYS})
