"""Permissions of users and groups: attached managed policies, inline policies, the user's boundary."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from directory.models import UserPermissionsBoundary
from directory.services import attachments, boundaries, groups, inline, users
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_editing import compared_with_saved, editor_context, findings_of
from iam_console.console.policy_forms import InlinePolicyForm
from iam_console.console.policy_search import search_policies
from iam_console.errors import AccessDenied, IAMError, NoSuchEntity
from policies.authorization import caller_may

INLINE_FIELDS = {"policy ceiling": "document", "policyName": "policy_name", "MalformedPolicyDocument": "document", "LimitExceeded": "document",
                 "policy_document": "document"}
PICKER_SIZE = 1000


def _attachable(view: ConsoleView, attached_arns: set[str]) -> list:
    """Policies to offer in the attach picker; none when the caller may not list them (they can type an ARN)."""
    try:
        page = search_policies(caller=view.caller, max_items=PICKER_SIZE)
    except AccessDenied:
        return []
    return [policy for policy in page.items if policy.arn not in attached_arns]


def _section(read) -> tuple[object, bool]:
    """Run a read for one section of the page; (None, True) when the caller may not read it."""
    try:
        return read(), False
    except AccessDenied:
        return None, True


def user_permissions_context(view: ConsoleView, user) -> dict:
    caller = view.caller
    attached, attached_denied = _section(
        lambda: attachments.list_attached_user_policies(caller=caller, user_name=user.user_name))
    inline_names, inline_denied = _section(lambda: inline.list_user_policies(caller=caller, user_name=user.user_name))
    boundary = UserPermissionsBoundary.objects.filter(user=user).select_related("policy").first()
    from_groups, groups_denied = _section(lambda: _group_policies(caller, user))
    return {"from_groups": from_groups or [], "groups_denied": groups_denied,
            "attached": attached or [], "attached_denied": attached_denied,
            "inline_names": sorted(inline_names or [], key=str.lower), "inline_denied": inline_denied,
            "boundary": boundary.policy if boundary else None,
            "attachable": _attachable(view, {p.arn for p in attached or []}),
            "may_attach": caller_may(caller, "iam:AttachUserPolicy", user.arn),
            "may_put_inline": caller_may(caller, "iam:PutUserPolicy", user.arn),
            "may_set_boundary": caller_may(caller, "iam:PutUserPermissionsBoundary", user.arn)}


def _group_policies(caller, user) -> list[dict]:
    """The policies a user gets through their groups, each row naming the group, as AWS's console lists them."""
    rows = []
    for group in users.list_groups_for_user(caller=caller, user_name=user.user_name, max_items=1000).items:
        for policy in attachments.list_attached_group_policies(caller=caller, group_name=group.group_name):
            rows.append({"group": group.group_name, "policy": policy, "kind": "managed"})
        for name in sorted(inline.list_group_policies(caller=caller, group_name=group.group_name), key=str.lower):
            rows.append({"group": group.group_name, "name": name, "kind": "inline"})
    return rows


def group_permissions_context(view: ConsoleView, group) -> dict:
    caller = view.caller
    attached, attached_denied = _section(
        lambda: attachments.list_attached_group_policies(caller=caller, group_name=group.group_name))
    inline_names, inline_denied = _section(
        lambda: inline.list_group_policies(caller=caller, group_name=group.group_name))
    return {"attached": attached or [], "attached_denied": attached_denied,
            "inline_names": sorted(inline_names or [], key=str.lower), "inline_denied": inline_denied,
            "attachable": _attachable(view, {p.arn for p in attached or []}),
            "may_attach": caller_may(caller, "iam:AttachGroupPolicy", group.arn),
            "may_put_inline": caller_may(caller, "iam:PutGroupPolicy", group.arn)}


def _back(kind: str, name: str) -> str:
    if kind == "user":
        return reverse("console:user-detail", args=[name]) + "?tab=permissions"
    return reverse("console:group-detail", args=[name]) + "#permissions"


class UserPermissionsView(ConsoleView):
    """Attach or detach a managed policy; set or remove the permissions boundary."""

    nav = "users"

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        action, arn = request.POST.get("action"), request.POST.get("policy_arn", "").strip()
        try:
            if action == "detach":
                attachments.detach_user_policy(caller=self.caller, user_name=user.user_name, policy_arn=arn)
                messages.success(request, f"Policy {arn} detached from {user.user_name}.")
            elif action == "set_boundary":
                boundaries.put_user_permissions_boundary(caller=self.caller, user_name=user.user_name,
                                                         permissions_boundary=arn)
                messages.success(request, f"Permissions boundary of {user.user_name} set to {arn}.")
            elif action == "remove_boundary":
                boundaries.delete_user_permissions_boundary(caller=self.caller, user_name=user.user_name)
                messages.success(request, f"Permissions boundary of {user.user_name} removed.")
            else:
                attachments.attach_user_policy(caller=self.caller, user_name=user.user_name, policy_arn=arn)
                messages.success(request, f"Policy {arn} attached to {user.user_name}.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(_back("user", user.user_name))


class GroupPermissionsView(ConsoleView):
    nav = "groups"

    def post(self, request: HttpRequest, group_name: str) -> HttpResponse:
        group = groups.get_group(caller=self.caller, group_name=group_name, max_items=1).group
        arn = request.POST.get("policy_arn", "").strip()
        try:
            if request.POST.get("action") == "detach":
                attachments.detach_group_policy(caller=self.caller, group_name=group.group_name, policy_arn=arn)
                messages.success(request, f"Policy {arn} detached from {group.group_name}.")
            else:
                attachments.attach_group_policy(caller=self.caller, group_name=group.group_name, policy_arn=arn)
                messages.success(request, f"Policy {arn} attached to {group.group_name}.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(_back("group", group.group_name))


class InlinePolicyEditView(ConsoleView):
    """Create or edit one inline policy of a user or group in the policy editor."""

    kind = "user"

    @property
    def nav(self) -> str:
        return f"{self.kind}s"

    def _entity(self, name: str):
        if self.kind == "user":
            return users.get_user(caller=self.caller, user_name=name)
        return groups.get_group(caller=self.caller, group_name=name, max_items=1).group

    def _name(self, entity) -> str:
        return entity.user_name if self.kind == "user" else entity.group_name

    def _get(self, entity_name: str, policy_name: str):
        if self.kind == "user":
            return inline.get_user_policy(caller=self.caller, user_name=entity_name, policy_name=policy_name)
        return inline.get_group_policy(caller=self.caller, group_name=entity_name, policy_name=policy_name)

    def _put(self, entity_name: str, policy_name: str, document: str):
        if self.kind == "user":
            return inline.put_user_policy(caller=self.caller, user_name=entity_name, policy_name=policy_name,
                                          policy_document=document)
        return inline.put_group_policy(caller=self.caller, group_name=entity_name, policy_name=policy_name,
                                       policy_document=document)

    def get(self, request: HttpRequest, name: str, policy_name: str | None = None) -> HttpResponse:
        entity = self._entity(name)
        if policy_name is None:
            form = InlinePolicyForm()
            return self._page(entity, form, form["document"].initial, None)
        policy = self._get(self._name(entity), policy_name)
        form = InlinePolicyForm(initial={"policy_name": policy.policy_name, "document": policy.document})
        return self._page(entity, form, policy.document, policy.policy_name)

    def post(self, request: HttpRequest, name: str, policy_name: str | None = None) -> HttpResponse:
        entity = self._entity(name)
        data = request.POST.copy()
        if policy_name is not None:
            data["policy_name"] = self._get(self._name(entity), policy_name).policy_name  # the name is fixed once made
        form, findings = InlinePolicyForm(data), []
        if form.is_valid():
            try:
                saved = self._put(self._name(entity), form.cleaned_data["policy_name"], form.cleaned_data["document"])
            except AccessDenied:
                raise
            except IAMError as error:
                findings = findings_of(error)
                apply_error(form, error, INLINE_FIELDS)
            else:
                messages.success(request, f"Inline policy {saved.policy_name} saved.")
                return redirect(_back(self.kind, self._name(entity)))
        return self._page(entity, form, data.get("document", ""), policy_name, findings, status=400)

    def _page(self, entity, form, document: str, policy_name: str | None, findings=None, status: int = 200):
        comparable = []
        if policy_name is not None:
            form.fields["policy_name"].disabled = True
            # "Check no new access" compares the draft with the policy as saved.
            comparable = compared_with_saved(self._get(self._name(entity), policy_name).document)
        return self.render("console/policies/inline_edit.html", {
            "entity": entity, "kind": self.kind, "form": form, "policy_name": policy_name, "comparable": comparable,
            "cancel": _back(self.kind, self._name(entity)), **editor_context(document, findings=findings)}, status=status)


class InlinePolicyDeleteView(ConsoleView):
    kind = "user"

    def post(self, request: HttpRequest, name: str, policy_name: str) -> HttpResponse:
        try:
            if self.kind == "user":
                inline.delete_user_policy(caller=self.caller, user_name=name, policy_name=policy_name)
            else:
                inline.delete_group_policy(caller=self.caller, group_name=name, policy_name=policy_name)
        except (AccessDenied, NoSuchEntity):
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        else:
            messages.success(request, f"Inline policy {policy_name} deleted.")
        return redirect(_back(self.kind, name))
