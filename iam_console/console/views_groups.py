"""Groups: list, create, detail with members and a user picker, rename, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from directory.models import Group
from directory.services import groups
from directory.services.user_search import search_groups, search_users
from iam_console.console.access_advisor import TAB as ADVISOR_TAB
from iam_console.console.access_advisor import access_advisor_context
from iam_console.console.exports import CSV_MAX, csv_response
from iam_console.console.forms import GroupCreateForm, RenameForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.console.views_policy_permissions import group_permissions_context
from iam_console.errors import AccessDenied, IAMError, ValidationError

PAGE_SIZE = 50
PICKER_SIZE = 10
GROUP_FIELDS = {"groupName": "group_name", "Group with name": "group_name", "path": "path"}
TABS = [("members", "Members and permissions"), ADVISOR_TAB]


class GroupListView(ConsoleView):
    nav = "groups"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        error = None
        try:
            page = search_groups(caller=self.caller, name_contains=q, sort=request.GET.get("sort", "name"),
                                 marker=request.GET.get("marker") or None,
                                 max_items=CSV_MAX if request.GET.get("format") == "csv" else PAGE_SIZE)
        except ValidationError as invalid:
            page, error = None, invalid
        if page and request.GET.get("format") == "csv":
            return csv_response("groups", ["Group name", "Path", "ARN", "Users", "Created"], (
                [g.group_name, g.path, g.arn, g.member_count, g.create_date.isoformat()] for g in page.items))
        query = request.GET.copy()
        query.pop("marker", None)
        return self.render("console/groups/list.html", {
            "groups": page.items if page else [], "next_marker": page.next_marker if page else None,
            "q": q, "query": query.urlencode(), "error": error,
            "may_create": self.may_create("iam:CreateGroup", "group")})


class GroupCreateView(ConsoleView):
    nav = "groups"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/groups/create.html", {"form": GroupCreateForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = GroupCreateForm(request.POST)
        if form.is_valid():
            try:
                group = groups.create_group(caller=self.caller, group_name=form.cleaned_data["group_name"],
                                            path=form.cleaned_data["path"] or "/")
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, GROUP_FIELDS)
            else:
                messages.success(request, f"Group {group.group_name} created.")
                return redirect("console:group-detail", group_name=group.group_name)
        return self.render("console/groups/create.html", {"form": form}, status=400)


class GroupDetailView(ConsoleView):
    nav = "groups"

    def get(self, request: HttpRequest, group_name: str) -> HttpResponse:
        result = groups.get_group(caller=self.caller, group_name=group_name, marker=request.GET.get("marker") or None,
                                  max_items=PAGE_SIZE)
        if request.GET.get("tab") == ADVISOR_TAB[0]:
            return self.render("console/groups/detail.html", {
                "group": result.group, "tab": ADVISOR_TAB[0], "tabs": TABS, "advisor_group": True,
                **access_advisor_context(self, result.group.arn)})
        return self.render("console/groups/detail.html", {"group": result.group, "members": result.users,
                                                          "tab": TABS[0][0], "tabs": TABS,
                                                          **group_permissions_context(self, result.group)})


class GroupMembersView(ConsoleView):
    nav = "groups"

    def post(self, request: HttpRequest, group_name: str) -> HttpResponse:
        user_name = request.POST.get("user_name", "").strip()
        try:
            if request.POST.get("action") == "remove":
                groups.remove_user_from_group(caller=self.caller, group_name=group_name, user_name=user_name)
                messages.success(request, f"{user_name} removed from {group_name}.")
            else:
                groups.add_user_to_group(caller=self.caller, group_name=group_name, user_name=user_name)
                messages.success(request, f"{user_name} added to {group_name}.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect("console:group-detail", group_name=group_name)


class UserPickerView(ConsoleView):
    """htmx: user names that start with (or contain) what was typed, to add to a group."""

    def get(self, request: HttpRequest, group_name: str) -> HttpResponse:
        q = (request.GET.get("user_name") or request.GET.get("q") or "").strip()
        matches = []
        if q:
            matches = search_users(caller=self.caller, name_prefix=q, max_items=PICKER_SIZE).items
            if len(matches) < PICKER_SIZE:
                seen = {user.pk for user in matches}
                matches += [user for user in search_users(caller=self.caller, name_contains=q,
                                                          max_items=PICKER_SIZE).items if user.pk not in seen]
        return self.render("console/groups/_picker.html", {"matches": matches[:PICKER_SIZE], "q": q,
                                                           "group_name": group_name})


class GroupEditView(ConsoleView):
    nav = "groups"

    def get(self, request: HttpRequest, group_name: str) -> HttpResponse:
        group = groups.get_group(caller=self.caller, group_name=group_name, max_items=1).group
        return self._page(group, RenameForm(initial={"new_name": group.group_name, "new_path": group.path}))

    def post(self, request: HttpRequest, group_name: str) -> HttpResponse:
        group = groups.get_group(caller=self.caller, group_name=group_name, max_items=1).group
        form = RenameForm(request.POST)
        if form.is_valid():
            try:
                updated = groups.update_group(caller=self.caller, group_name=group.group_name,
                                              new_group_name=form.cleaned_data["new_name"],
                                              new_path=form.cleaned_data["new_path"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"newGroupName": "new_name", "Group with name": "new_name",
                                          "newPath": "new_path"})
            else:
                messages.success(request, f"Group {updated.group_name} saved.")
                return redirect("console:group-detail", group_name=updated.group_name)
        return self._page(group, form, status=400)

    def _page(self, group: Group, form: RenameForm, status: int = 200) -> HttpResponse:
        return self.render("console/rename.html", {
            "entity": group, "kind": "group", "form": form,
            "cancel": reverse("console:group-detail", args=[group.group_name])}, status=status)


class GroupDeleteView(ConsoleView):
    nav = "groups"

    def get(self, request: HttpRequest, group_name: str) -> HttpResponse:
        result = groups.get_group(caller=self.caller, group_name=group_name, max_items=1)
        return self.render("console/groups/delete.html", {"group": result.group,
                                                          "has_members": bool(result.users.items)})

    def post(self, request: HttpRequest, group_name: str) -> HttpResponse:
        try:
            groups.delete_group(caller=self.caller, group_name=group_name)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
            return redirect("console:group-delete", group_name=group_name)
        messages.success(request, f"Group {group_name} deleted.")
        return redirect("console:groups")
