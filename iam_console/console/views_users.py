"""Users: list and search, create, detail tabs, rename, console password, keys, tags, groups, delete."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from audit.console_queries import lookup_events
from directory.models import User
from directory.passwords import check_password_against_policy, generate_password
from directory.services import access_keys, attachments, groups, login_profiles, tags, users
from directory.services.sign_in import is_locked, unlock_user
from directory.services.user_search import search_groups, search_users
from iam_console.console import handoff
from iam_console.console.access_advisor import TAB as ADVISOR_TAB
from iam_console.console.access_advisor import access_advisor_context
from iam_console.console.exports import CSV_MAX, csv_response
from iam_console.console.forms import LoginProfileForm, RenameForm, TagForm, UserCreateForm
from iam_console.console.mixins import ConsoleView, apply_error, password_rules
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_search import boundary_choices
from iam_console.console.views_audit import annotate
from iam_console.console.views_policy_permissions import user_permissions_context
from iam_console.console.views_self import key_action
from iam_console.console.views_tags import TagsView
from iam_console.errors import AccessDenied, IAMError, ValidationError
from iam_console.operations import atomic_operations
from policies.system_policies import CHANGE_PASSWORD_POLICY_ARN

PAGE_SIZE = 50
TABS = [("summary", "Summary"), ("permissions", "Permissions"), ("groups", "Groups"), ("keys", "Access keys"),
        ("credentials", "Console access"), ("tags", "Tags"), ("events", "Audit events"), ADVISOR_TAB]
USER_FIELDS = {"userName": "user_name", "User with name": "user_name", "path": "path",
               "PasswordPolicyViolation": "password"}


class UserListView(ConsoleView):
    nav = "users"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        match = request.GET.get("match", "contains")
        path = request.GET.get("path", "").strip() or "/"
        sort = request.GET.get("sort", "name")
        error = None
        try:
            page = search_users(caller=self.caller, name_contains=q if match == "contains" else "",
                                name_prefix=q if match == "prefix" else "", path_prefix=path, sort=sort,
                                marker=request.GET.get("marker") or None,
                                max_items=CSV_MAX if _csv(request) else PAGE_SIZE)
        except ValidationError as invalid:
            page, error = None, invalid
        if page and _csv(request):
            return csv_response("users", ["User name", "Path", "ARN", "Groups", "Access keys", "Console access", "MFA",
                                          "Last sign-in", "Created"], (
                [u.user_name, u.path, u.arn, u.group_count, u.access_key_count,
                 "Enabled" if u.login_profile_create_date else "Disabled", u.mfa_device_count,
                 u.last_login.isoformat() if u.last_login else "", u.create_date.isoformat()] for u in page.items))
        query = request.GET.copy()
        query.pop("marker", None)
        return self.render("console/users/list.html", {
            "users": page.items if page else [], "next_marker": page.next_marker if page else None,
            "q": q, "match": match, "path": path if path != "/" else "", "sort": sort, "query": query.urlencode(),
            "error": error, "sorts": [("name", "Name (A-Z)"), ("-name", "Name (Z-A)"),
                                      ("-created", "Newest first"), ("created", "Oldest first")],
            "may_create": self.may_create("iam:CreateUser", "user"),
        })


def _csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def _group_names(view: ConsoleView) -> list[str]:
    try:
        return [group.group_name for group in search_groups(caller=view.caller, max_items=1000).items]
    except AccessDenied:
        return []


class UserCreateView(ConsoleView):
    nav = "users"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._page(UserCreateForm(group_names=_group_names(self), boundaries=boundary_choices(self.caller)))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = UserCreateForm(request.POST, group_names=_group_names(self), boundaries=boundary_choices(self.caller))
        if not form.is_valid():
            return self._page(form, status=400)
        data = form.cleaned_data
        password = None
        if data["console_access"]:
            password = data["password"] if data["password_mode"] == "custom" else generate_password(self.policy)
            try:
                # Checked before anything is written, so a refused password leaves no half-made user.
                check_password_against_policy(password, user=User(user_name=data["user_name"]), policy=self.policy)
            except IAMError as error:
                apply_error(form, error, USER_FIELDS)
                return self._page(form, status=400)
        try:
            with atomic_operations():
                user = users.create_user(caller=self.caller, user_name=data["user_name"], path=data["path"] or "/",
                                         permissions_boundary=data["permissions_boundary"] or None)
                if password is not None:
                    login_profiles.create_login_profile(caller=self.caller, user_name=user.user_name,
                                                        password=password,
                                                        password_reset_required=data["password_reset_required"])
                    if data["password_reset_required"] and not self.policy.allow_users_to_change_password:
                        # As AWS's console does: a user told to choose a new password gets the permission to.
                        attachments.attach_user_policy(caller=self.caller, user_name=user.user_name,
                                                       policy_arn=CHANGE_PASSWORD_POLICY_ARN)
                for group_name in data["groups"]:
                    groups.add_user_to_group(caller=self.caller, group_name=group_name, user_name=user.user_name)
        except AccessDenied:
            raise
        except IAMError as error:
            apply_error(form, error, USER_FIELDS)
            return self._page(form, status=400)
        messages.success(request, f"User {user.user_name} created.")
        if password is None:
            return redirect("console:user-detail", user_name=user.user_name)
        # Shown once by the page this redirects to; a reload of that page creates nothing and shows nothing.
        handoff.give(request, f"new-user:{user.user_name}", {
            "password": password, "generated": data["password_mode"] != "custom",
            "reset_required": data["password_reset_required"]})
        return redirect("console:user-created", user_name=user.user_name)

    def _page(self, form: UserCreateForm, status: int = 200) -> HttpResponse:
        return self.render("console/users/create.html", {"form": form, "rules": password_rules(self.policy)},
                           status=status)


class UserCreatedView(ConsoleView):
    """The new user's sign-in details, shown once after the create form redirects here."""

    nav = "users"

    def get(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        shown = handoff.take(request, f"new-user:{user.user_name}")
        if shown is None:
            messages.info(request, f"The password of {user.user_name} was shown once and cannot be shown again. "
                                   "Reset it on the Console access tab if it was lost.")
            return redirect("console:user-detail", user_name=user.user_name)
        return handoff.no_store(self.render("console/users/created.html", {
            "user": user, **shown, "sign_in_url": request.build_absolute_uri(reverse("console:sign-in"))}))


def user_page(view: ConsoleView, user_name: str, *, tab: str, extra: dict | None = None,
              status: int = 200) -> HttpResponse:
    """The user detail page on one tab; `extra` carries what a POST shows once (a new key or password)."""
    caller = view.caller
    user = users.get_user(caller=caller, user_name=user_name)
    tab = tab if tab in dict(TABS) else "summary"
    context: dict = {"user": user, "tab": tab, "tabs": TABS, "locked": is_locked(user)}
    if tab in ("summary", "groups"):
        context["groups"] = users.list_groups_for_user(caller=caller, user_name=user.user_name,
                                                       max_items=1000).items
    if tab == "groups":
        member_of = {group.group_name for group in context["groups"]}
        context["other_groups"] = [name for name in _group_names(view) if name not in member_of]
    if tab in ("summary", "keys"):
        context["keys"] = access_keys.list_access_keys(caller=caller, user_name=user.user_name)[1]
        context["key_limit"] = access_keys.ACCESS_KEYS_PER_USER
    if tab == "credentials":
        context["profile_form"] = LoginProfileForm()
        context["rules"] = password_rules(view.policy)
    if tab == "permissions":
        context.update(user_permissions_context(view, user))
    if tab == "tags":
        context["tags"] = tags.list_user_tags(caller=caller, user_name=user.user_name)
        context["tag_form"] = TagForm()
    if tab == ADVISOR_TAB[0]:
        context.update(access_advisor_context(view, user.arn))
    if tab == "events":
        try:
            context["events"] = annotate(lookup_events(caller=caller, user_arn=user.arn,
                                                       user_name=user.user_name, max_items=50).items)
        except AccessDenied:
            context["events"] = None
    shown = handoff.take(view.request, f"{tab}:{user.user_name}") if tab in ("keys", "credentials") else None
    if shown:
        context.update(shown)
    context.update(extra or {})
    response = view.render("console/users/detail.html", context, status=status)
    return handoff.no_store(response) if shown else response


class UserDetailView(ConsoleView):
    nav = "users"

    def get(self, request: HttpRequest, user_name: str) -> HttpResponse:
        return user_page(self, user_name, tab=request.GET.get("tab", "summary"))


class UserEditView(ConsoleView):
    nav = "users"

    def get(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        return self._page(user, RenameForm(initial={"new_name": user.user_name, "new_path": user.path}))

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        form = RenameForm(request.POST)
        if form.is_valid():
            try:
                updated = users.update_user(caller=self.caller, user_name=user.user_name,
                                            new_user_name=form.cleaned_data["new_name"],
                                            new_path=form.cleaned_data["new_path"])
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, {"newUserName": "new_name", "User with name": "new_name",
                                          "newPath": "new_path"})
            else:
                messages.success(request, f"User {updated.user_name} saved.")
                return redirect("console:user-detail", user_name=updated.user_name)
        return self._page(user, form, status=400)

    def _page(self, user: User, form: RenameForm, status: int = 200) -> HttpResponse:
        return self.render("console/rename.html", {"entity": user, "kind": "user", "form": form,
                                                   "cancel": reverse("console:user-detail", args=[user.user_name])},
                           status=status)


class UserDeleteView(ConsoleView):
    nav = "users"

    def get(self, request: HttpRequest, user_name: str) -> HttpResponse:
        return self._page(user_name)

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        if request.POST.get("confirm_name", "").strip().lower() != user.user_name_key:
            return self._page(user_name, error="Type the user name to confirm.", status=400)
        try:
            # The dependents go with the user or not at all: a refused delete leaves everything as it was.
            with atomic_operations():
                if request.POST.get("remove_dependents"):
                    self._remove_dependents(user)
                users.delete_user(caller=self.caller, user_name=user.user_name)
        except AccessDenied:
            raise
        except IAMError as error:
            return self._page(user_name, error=plain_message(error), status=409)
        messages.success(request, f"User {user.user_name} deleted.")
        return redirect("console:users")

    def _remove_dependents(self, user: User) -> None:
        """Remove what blocks DeleteUser, one IAM operation each, so each is authorized and audited."""
        caller, dependents = self.caller, users.user_dependents(user)
        if dependents.login_profile:
            login_profiles.delete_login_profile(caller=caller, user_name=user.user_name)
        for key_id in dependents.access_keys:
            access_keys.delete_access_key(caller=caller, access_key_id=key_id, user_name=user.user_name)
        for group_name in dependents.groups:
            groups.remove_user_from_group(caller=caller, group_name=group_name, user_name=user.user_name)

    def _page(self, user_name: str, *, error: str = "", status: int = 200) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        dependents = users.user_dependents(user)
        # MFA devices and policies are removed on their own pages; the button removes only what it can.
        removable = not (dependents.mfa_devices or dependents.attached_policies or dependents.inline_policies)
        return self.render("console/users/delete.html", {"user": user, "dependents": dependents,
                                                         "removable": removable, "error": error}, status=status)


class UserLoginProfileView(ConsoleView):
    """Console access: create or reset the password, require a reset, remove access."""

    nav = "users"

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        action = request.POST.get("action")
        user = users.get_user(caller=self.caller, user_name=user_name)
        try:
            if action == "delete":
                login_profiles.delete_login_profile(caller=self.caller, user_name=user.user_name)
                messages.success(request, f"Console access for {user.user_name} removed.")
            elif action in ("require_reset", "no_reset"):
                login_profiles.update_login_profile(caller=self.caller, user_name=user.user_name,
                                                    password_reset_required=action == "require_reset")
                messages.success(request, f"{user.user_name} must change their password at next sign-in."
                                 if action == "require_reset" else
                                 f"{user.user_name} no longer has to change their password.")
            elif action in ("create", "reset"):
                form = LoginProfileForm(request.POST)
                if not form.is_valid():
                    return user_page(self, user_name, tab="credentials", extra={"profile_form": form}, status=400)
                data = form.cleaned_data
                password = data["password"] if data["password_mode"] == "custom" else generate_password(self.policy)
                try:
                    if action == "create":
                        login_profiles.create_login_profile(caller=self.caller, user_name=user.user_name,
                                                            password=password,
                                                            password_reset_required=data["password_reset_required"])
                    else:
                        login_profiles.update_login_profile(caller=self.caller, user_name=user.user_name,
                                                            password=password,
                                                            password_reset_required=data["password_reset_required"])
                except AccessDenied:
                    raise
                except IAMError as error:
                    apply_error(form, error, {"PasswordPolicyViolation": "password"})
                    return user_page(self, user_name, tab="credentials", extra={"profile_form": form}, status=400)
                messages.success(request, f"Console password for {user.user_name} "
                                          f"{'created' if action == 'create' else 'reset'}.")
                handoff.give(request, f"credentials:{user.user_name}", {"new_password": password})
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(reverse("console:user-detail", args=[user.user_name]) + "?tab=credentials")


class UserUnlockView(ConsoleView):
    nav = "users"

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = unlock_user(caller=self.caller, user_name=user_name)
        messages.success(request, f"{user.user_name} can sign in again.")
        return redirect(reverse("console:user-detail", args=[user.user_name]) + "?tab=credentials")


class UserAccessKeysView(ConsoleView):
    nav = "users"

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        try:
            new_key = key_action(self, request, user_name=user.user_name)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
            new_key = None
        if new_key is not None:
            handoff.give(request, f"keys:{user.user_name}", {"new_key": new_key})
        return redirect(reverse("console:user-detail", args=[user.user_name]) + "?tab=keys")


class UserTagsView(TagsView):
    nav = "users"

    def entity(self, name: str):
        return users.get_user(caller=self.caller, user_name=name)

    def tag(self, user, new_tags: list[dict]) -> None:
        tags.tag_user(caller=self.caller, user_name=user.user_name, tags=new_tags)

    def untag(self, user, keys: list[str]) -> None:
        tags.untag_user(caller=self.caller, user_name=user.user_name, tag_keys=keys)

    def list_tags(self, user) -> list:
        return tags.list_user_tags(caller=self.caller, user_name=user.user_name)

    def tags_url(self, user) -> str:
        return reverse("console:user-tags", args=[user.user_name])

    def detail_url(self, user) -> str:
        return reverse("console:user-detail", args=[user.user_name])


class UserGroupsView(ConsoleView):
    nav = "users"

    def post(self, request: HttpRequest, user_name: str) -> HttpResponse:
        user = users.get_user(caller=self.caller, user_name=user_name)
        group_name = request.POST.get("group_name", "")
        try:
            if request.POST.get("action") == "remove":
                groups.remove_user_from_group(caller=self.caller, group_name=group_name, user_name=user.user_name)
                messages.success(request, f"{user.user_name} removed from {group_name}.")
            else:
                groups.add_user_to_group(caller=self.caller, group_name=group_name, user_name=user.user_name)
                messages.success(request, f"{user.user_name} added to {group_name}.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect(reverse("console:user-detail", args=[user.user_name]) + "?tab=groups")
