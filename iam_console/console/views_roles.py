"""Roles: list, create wizard, detail with trust relationships and permissions, edit, revoke sessions, delete."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from directory.lookups import missing_principal_arns
from directory.models import Role
from directory.services import role_policies, roles
from iam_console.console.access_advisor import TAB as ADVISOR_TAB
from iam_console.console.access_advisor import access_advisor_context
from iam_console.console.exports import CSV_MAX, csv_response
from iam_console.console.forms import TagForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_editing import compared_with_saved, editor_context, findings_of
from iam_console.console.policy_forms import InlinePolicyForm
from iam_console.console.policy_search import boundary_choices
from iam_console.console.role_forms import (
    TRUST_TEMPLATES,
    RoleCreateForm,
    RoleEditForm,
    TrustPolicyForm,
    trust_template,
)
from iam_console.console.views_policy_permissions import _attachable, _section
from iam_console.console.views_tags import TagsView
from iam_console.errors import AccessDenied, IAMError, MalformedPolicyDocument, NoSuchEntity
from policies.authorization import caller_may
from policies.documents import TRUST_POLICY
from sts import services as sts

PAGE_SIZE = 50
ROLE_FIELDS = {"roleName": "role_name", "Role with name": "role_name", "path": "path", "description": "description",
               "maxSessionDuration": "max_session_duration", "MalformedPolicyDocument": "document",
               "LimitExceeded": "document"}
TABS = [("summary", "Summary"), ("trust", "Trust relationships"), ("permissions", "Permissions"), ("tags", "Tags"),
        ADVISOR_TAB]


def readable(document: str) -> str:
    """A stored document, indented for the editor (documents are kept as they were sent)."""
    try:
        return json.dumps(json.loads(document), indent=2)
    except ValueError:
        return document


def _role_url(role_name: str, tab: str = "summary") -> str:
    return reverse("console:role-detail", args=[role_name]) + f"?{urlencode({'tab': tab})}"


class RoleListView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest) -> HttpResponse:
        export = request.GET.get("format") == "csv"
        page = roles.list_roles(caller=self.caller, marker=request.GET.get("marker") or None,
                                max_items=CSV_MAX if export else PAGE_SIZE)
        if export:
            return csv_response("roles", ["Role name", "Path", "ARN", "Description", "Max session (s)", "Last used",
                                          "Created"], (
                [r.role_name, r.path, r.arn, r.description, r.max_session_duration,
                 r.last_used_date.isoformat() if r.last_used_date else "", r.create_date.isoformat()]
                for r in page.items))
        return self.render("console/roles/list.html", {"roles": page.items, "next_marker": page.marker
                                                       if page.is_truncated else None,
                                                       "may_create": self.may_create("iam:CreateRole", "role")})


class RoleCreateView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("template", "account")
        kind = kind if kind in TRUST_TEMPLATES else "account"
        document = trust_template(kind, account_id=self.caller.account_id, user_arn=request.GET.get("user_arn", ""),
                                  provider_arn=request.GET.get("provider", ""))
        return self.page(RoleCreateForm(initial={"document": document, "path": "/"}, boundaries=boundary_choices(self.caller)), kind, document)

    def post(self, request: HttpRequest) -> HttpResponse:
        chosen = request.POST.get("choose_template")
        if chosen in TRUST_TEMPLATES:
            # A template was picked: keep the name and limits typed so far, replace only the document.
            document = trust_template(chosen, account_id=self.caller.account_id)
            typed = {name: request.POST.get(name, "") for name in ("role_name", "path", "description",
                                                                   "max_session_duration", "permissions_boundary")}
            return self.page(RoleCreateForm(initial={**typed, "document": document}, boundaries=boundary_choices(self.caller)), chosen, document)
        form, findings = RoleCreateForm(request.POST, boundaries=boundary_choices(self.caller)), []
        if form.is_valid() and not flag_missing_principals(form, self.caller.account_id, form.cleaned_data["document"]):
            data = form.cleaned_data
            try:
                role = roles.create_role(caller=self.caller, role_name=data["role_name"], path=data["path"] or "/",
                                         description=data["description"], assume_role_policy_document=data["document"],
                                         max_session_duration=data["max_session_duration"],
                                         permissions_boundary=data["permissions_boundary"] or None)
            except AccessDenied:
                raise
            except IAMError as error:
                findings = findings_of(error)
                apply_error(form, error, ROLE_FIELDS)
            else:
                messages.success(request, f"Role {role.role_name} created. Attach policies to give it permissions.")
                return redirect(_role_url(role.role_name, "permissions"))
        return self.page(form, request.POST.get("template", "custom"), request.POST.get("document", ""), findings,
                         status=400)

    def page(self, form, kind: str, document: str, findings=None, status: int = 200) -> HttpResponse:
        templates = [{"kind": key, "label": label, "document": trust_template(key, account_id=self.caller.account_id)}
                     for key, label in TRUST_TEMPLATES.items() if key != "custom"]
        return self.render("console/roles/create.html", {
            "form": form, "template_kind": kind, "templates": templates,
            **editor_context(document, findings=findings, policy_type=TRUST_POLICY)}, status=status)


def missing_principals_message(missing: list[str]) -> str:
    names = ", ".join(missing)
    return (f"The trust policy names {names}, which does not exist in this account. Replace it with an existing "
            "user or role (a template's USER-NAME is a placeholder to fill in).")


def flag_missing_principals(form, account_id: str, document: str) -> bool:
    """Refuse a trust policy naming a user or role of the account that does not exist, beside the document,
    before saving."""
    missing = missing_principal_arns(account_id, document)
    if missing:
        form.add_error("document", missing_principals_message(missing))
    return bool(missing)


def role_permissions_context(view: ConsoleView, role: Role) -> dict:
    caller = view.caller
    attached, attached_denied = _section(
        lambda: role_policies.list_attached_role_policies(caller=caller, role_name=role.role_name))
    inline_names, inline_denied = _section(
        lambda: role_policies.list_role_policies(caller=caller, role_name=role.role_name))
    return {"attached": attached or [], "attached_denied": attached_denied,
            "inline_names": sorted(inline_names or [], key=str.lower), "inline_denied": inline_denied,
            "boundary": role_policies.role_permissions_boundary(role),
            "attachable": _attachable(view, {p.arn for p in attached or []}),
            "may_attach": caller_may(caller, "iam:AttachRolePolicy", role.arn),
            "may_put_inline": caller_may(caller, "iam:PutRolePolicy", role.arn),
            "may_set_boundary": caller_may(caller, "iam:PutRolePermissionsBoundary", role.arn)}


class RoleDetailView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        tab = request.GET.get("tab", "summary")
        tab = tab if tab in dict(TABS) else "summary"
        context = {"role": role, "tab": tab, "tabs": TABS,
                   "switch_link": request.build_absolute_uri(reverse("console:switch-role")) + "?" + urlencode(
                       {"account": role.account_id, "roleName": role.path.strip("/") + "/" + role.role_name if role.path != "/" else role.role_name,
                        "displayName": role.role_name[:64]}),
                   "may_revoke": caller_may(self.caller, "iam:RevokeRoleSessions", role.arn)}
        if tab == "trust":
            context.update(editor_context(readable(role.assume_role_policy_document), policy_type=TRUST_POLICY,
                                          readonly=not caller_may(self.caller, "iam:UpdateAssumeRolePolicy", role.arn)))
            context["trust_form"] = TrustPolicyForm(initial={"document": readable(role.assume_role_policy_document)})
        elif tab == "permissions":
            context.update(role_permissions_context(self, role))
        elif tab == "tags":
            context.update(tags=roles.list_role_tags(caller=self.caller, role_name=role.role_name), tag_form=TagForm())
        elif tab == ADVISOR_TAB[0]:
            context.update(access_advisor_context(self, role.arn))
        return self.render("console/roles/detail.html", context)


class RoleTagsView(TagsView):
    nav = "roles"

    def entity(self, name: str):
        return roles.get_role(caller=self.caller, role_name=name)

    def tag(self, role, new_tags: list[dict]) -> None:
        roles.tag_role(caller=self.caller, role_name=role.role_name, tags=new_tags)

    def untag(self, role, keys: list[str]) -> None:
        roles.untag_role(caller=self.caller, role_name=role.role_name, tag_keys=keys)

    def list_tags(self, role) -> list:
        return roles.list_role_tags(caller=self.caller, role_name=role.role_name)

    def tags_url(self, role) -> str:
        return reverse("console:role-tags", args=[role.role_name])

    def detail_url(self, role) -> str:
        return reverse("console:role-detail", args=[role.role_name])


class RoleTrustPolicyView(ConsoleView):
    """Edit the trust policy in the policy editor, validated as a TRUST_POLICY."""

    nav = "roles"

    def post(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        document = request.POST.get("document", "")
        missing = missing_principal_arns(self.caller.account_id, document)
        try:
            if missing:
                raise MalformedPolicyDocument(missing_principals_message(missing))
            roles.update_assume_role_policy(caller=self.caller, role_name=role.role_name, policy_document=document)
        except AccessDenied:
            raise
        except IAMError as error:
            context = {"role": role, "tab": "trust", "tabs": TABS, "trust_error": plain_message(error),
                       "trust_form": TrustPolicyForm(request.POST),
                       **editor_context(document, findings=findings_of(error), policy_type=TRUST_POLICY)}
            return self.render("console/roles/detail.html", context, status=400)
        messages.success(request, f"Trust policy of {role.role_name} saved.")
        return redirect(_role_url(role.role_name, "trust"))


class RoleEditView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        form = RoleEditForm(initial={"description": role.description,
                                     "max_session_duration": role.max_session_duration})
        return self.render("console/roles/edit.html", {"role": role, "form": form})

    def post(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        form = RoleEditForm(request.POST)
        if form.is_valid():
            try:
                roles.update_role(caller=self.caller, role_name=role.role_name,
                                  description=form.cleaned_data["description"],
                                  max_session_duration=form.cleaned_data["max_session_duration"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, ROLE_FIELDS)
            else:
                messages.success(request, f"Role {role.role_name} saved.")
                return redirect(_role_url(role.role_name))
        return self.render("console/roles/edit.html", {"role": role, "form": form}, status=400)


class RolePermissionsView(ConsoleView):
    """Attach or detach a managed policy; set or remove the permissions boundary."""

    nav = "roles"

    def post(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        action, arn, name = request.POST.get("action"), request.POST.get("policy_arn", "").strip(), role.role_name
        try:
            if action == "detach":
                role_policies.detach_role_policy(caller=self.caller, role_name=name, policy_arn=arn)
                messages.success(request, f"Policy {arn} detached from {name}.")
            elif action == "set_boundary":
                role_policies.put_role_permissions_boundary(caller=self.caller, role_name=name,
                                                            permissions_boundary=arn)
                messages.success(request, f"Permissions boundary of {name} set to {arn}.")
            elif action == "remove_boundary":
                role_policies.delete_role_permissions_boundary(caller=self.caller, role_name=name)
                messages.success(request, f"Permissions boundary of {name} removed.")
            else:
                role_policies.attach_role_policy(caller=self.caller, role_name=name, policy_arn=arn)
                messages.success(request, f"Policy {arn} attached to {name}.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(_role_url(name, "permissions"))


class RoleInlinePolicyView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest, role_name: str, policy_name: str | None = None) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        if policy_name is None:
            form = InlinePolicyForm()
            return self.page(role, form, form["document"].initial, None)
        policy = role_policies.get_role_policy(caller=self.caller, role_name=role.role_name, policy_name=policy_name)
        form = InlinePolicyForm(initial={"policy_name": policy.policy_name, "document": policy.document})
        return self.page(role, form, policy.document, policy.policy_name)

    def post(self, request: HttpRequest, role_name: str, policy_name: str | None = None) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        data = request.POST.copy()
        if policy_name is not None:
            data["policy_name"] = policy_name  # the name is fixed once made
        form, findings = InlinePolicyForm(data), []
        if form.is_valid():
            try:
                saved = role_policies.put_role_policy(caller=self.caller, role_name=role.role_name,
                                                      policy_name=form.cleaned_data["policy_name"],
                                                      policy_document=form.cleaned_data["document"])
            except AccessDenied:
                raise
            except IAMError as error:
                findings = findings_of(error)
                apply_error(form, error, {"policy ceiling": "document", "policyName": "policy_name",
                                          "MalformedPolicyDocument": "document",
                                          "LimitExceeded": "document"})
            else:
                messages.success(request, f"Inline policy {saved.policy_name} saved.")
                return redirect(_role_url(role.role_name, "permissions"))
        return self.page(role, form, data.get("document", ""), policy_name, findings, status=400)

    def page(self, role, form, document: str, policy_name: str | None, findings=None, status: int = 200):
        comparable = []
        if policy_name is not None:
            form.fields["policy_name"].disabled = True
            saved = role_policies.get_role_policy(caller=self.caller, role_name=role.role_name, policy_name=policy_name)
            comparable = compared_with_saved(saved.document)
        return self.render("console/roles/inline_edit.html", {
            "role": role, "form": form, "policy_name": policy_name, "cancel": _role_url(role.role_name, "permissions"),
            "comparable": comparable, **editor_context(document, findings=findings)}, status=status)


class RoleInlinePolicyDeleteView(ConsoleView):
    def post(self, request: HttpRequest, role_name: str, policy_name: str) -> HttpResponse:
        try:
            role_policies.delete_role_policy(caller=self.caller, role_name=role_name, policy_name=policy_name)
        except (AccessDenied, NoSuchEntity):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, f"Inline policy {policy_name} deleted.")
        return redirect(_role_url(role_name, "permissions"))


class RoleRevokeSessionsView(ConsoleView):
    def post(self, request: HttpRequest, role_name: str) -> HttpResponse:
        revocation = sts.revoke_role_sessions(caller=self.caller, role_name=role_name)
        messages.success(request, f"Revoked {revocation.sessions} active session{'s' if revocation.sessions != 1 else ''}"
                                  f" of {role_name}: sessions issued before "
                                  f"{revocation.revoked_before:%Y-%m-%d %H:%M:%S} UTC are refused from now on.")
        return redirect(_role_url(role_name))


class RoleDeleteView(ConsoleView):
    nav = "roles"

    def get(self, request: HttpRequest, role_name: str) -> HttpResponse:
        role = roles.get_role(caller=self.caller, role_name=role_name)
        attached, inline = roles.role_dependents(role)
        return self.render("console/roles/delete.html", {"role": role, "attached": attached, "inline": inline})

    def post(self, request: HttpRequest, role_name: str) -> HttpResponse:
        try:
            roles.delete_role(caller=self.caller, role_name=role_name)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
            return redirect("console:role-delete", role_name=role_name)
        messages.success(request, f"Role {role_name} deleted.")
        return redirect("console:roles")
