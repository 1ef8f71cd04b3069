"""The identity store in the console: people and groups (list, search, create, edit, memberships,
deactivation) and the SCIM tokens an identity provider provisions them with."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from iam_console.console.identity_store_forms import MemberForm, WorkforceGroupForm, WorkforceUserForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.errors import AccessDenied, IAMError
from identitycenter.services import portal
from identitystore.errors import ResourceNotFound
from identitystore.models import WorkforceUser
from identitystore.services import groups, memberships, scim_tokens, search, users
from identitystore.services.store import identity_store_of

PAGE_SIZE = 50
USER_FIELDS = {"Duplicate UserName": "user_name", "UserName": "user_name", "DisplayName": "display_name",
               "Emails": "email", "Name.": "given_name"}
GROUP_FIELDS = {"Duplicate GroupDisplayName": "display_name", "DisplayName": "display_name",
                "Description": "description"}
# Stands for the store of an account that has none: every service answers it with ResourceNotFoundException.
NO_STORE = "d-0000000000"


class IdentityStoreView(ConsoleView):
    nav = "identity-store"

    @property
    def store_id(self) -> str:
        store = identity_store_of(self.caller.account_id)
        return store.id if store is not None else NO_STORE

    def search_text(self) -> str:
        return self.request.GET.get("q", "").strip()[:128]


def _contains(attribute: str, text: str) -> str | None:
    """A SCIM filter for "attribute contains text"; json.dumps quotes the text as SCIM's grammar reads strings."""
    return f"{attribute} co {json.dumps(text)}" if text else None


def _page_number(request: HttpRequest) -> int:
    text = request.GET.get("page", "1")
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


def _profile_of(form: WorkforceUserForm) -> dict[str, Any]:
    data = form.cleaned_data
    name = {key: value for key, value in (("GivenName", data["given_name"]), ("FamilyName", data["family_name"]))
            if value}
    profile: dict[str, Any] = {"Name": name} if name else {}
    if data["email"]:
        profile["Emails"] = [{"Value": data["email"], "Type": "work", "Primary": True}]
    return profile


class PeopleView(IdentityStoreView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q, page = self.search_text(), _page_number(request)
        found = search.search_users(caller=self.caller, identity_store_id=self.store_id,
                                    filter_text=_contains("userName", q), start_index=(page - 1) * PAGE_SIZE + 1,
                                    count=PAGE_SIZE)
        return self.render("console/identity_store/people.html", {
            "people": found.items, "total": found.total, "q": q, "page": page,
            "next_page": page + 1 if page * PAGE_SIZE < found.total else None})


class PersonCreateView(IdentityStoreView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/identity_store/person_form.html", {"form": WorkforceUserForm(), "person": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WorkforceUserForm(request.POST)
        if form.is_valid():
            try:
                person = users.create_user(caller=self.caller, identity_store_id=self.store_id,
                                           user_name=form.cleaned_data["user_name"],
                                           display_name=form.cleaned_data["display_name"], profile=_profile_of(form))
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, USER_FIELDS)
            else:
                messages.success(request, f"{person.user_name} created.")
                return redirect("console:identity-store-person", user_id=person.user_id)
        return self.render("console/identity_store/person_form.html", {"form": form, "person": None}, status=400)


class PersonView(IdentityStoreView):
    def get(self, request: HttpRequest, user_id: str, invitation_link: str = "") -> HttpResponse:
        person = users.describe_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)
        member_of = memberships.list_group_memberships_for_member(
            caller=self.caller, identity_store_id=self.store_id, member_id={"UserId": person.user_id}).items
        return self.render("console/identity_store/person.html", {
            "person": person, "memberships": member_of, "email": _email(person),
            "external_ids": person.external_ids, "invitation_link": invitation_link})

    def post(self, request: HttpRequest, user_id: str) -> HttpResponse:
        """Deactivate or reactivate the person (UserStatus), delete them, or make their access-portal invitation."""
        action = request.POST.get("action")
        if action == "invite":
            # The link is shown once, on this page, never kept in a message (messages live in the session).
            invitation = portal.create_invitation(caller=self.caller, user_id=user_id)
            link = request.build_absolute_uri(reverse("console:portal-invitation", args=[invitation.token]))
            return self.get(request, user_id, invitation_link=link)
        try:
            if action == "delete":
                users.delete_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)
                messages.success(request, "The person was deleted and their sessions ended.")
                return redirect("console:identity-store-people")
            status = "DISABLED" if action == "deactivate" else "ENABLED"
            users.update_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id,
                              operations=[{"AttributePath": "userStatus", "AttributeValue": status}])
            messages.success(request, "Deactivated: their sessions are ended." if status == "DISABLED"
                             else "Reactivated.")
        except AccessDenied:
            raise
        except ResourceNotFound:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect("console:identity-store-person", user_id=user_id)


def _email(person: WorkforceUser) -> str:
    emails = person.profile.get("Emails") or []
    return emails[0].get("Value", "") if emails else ""


class PersonEditView(IdentityStoreView):
    def get(self, request: HttpRequest, user_id: str) -> HttpResponse:
        person = users.describe_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)
        name = person.profile.get("Name") or {}
        form = WorkforceUserForm(initial={"user_name": person.user_name, "display_name": person.display_name,
                                          "given_name": name.get("GivenName", ""),
                                          "family_name": name.get("FamilyName", ""), "email": _email(person)})
        return self.render("console/identity_store/person_form.html", {"form": form, "person": person})

    def post(self, request: HttpRequest, user_id: str) -> HttpResponse:
        person = users.describe_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)
        form = WorkforceUserForm(request.POST)
        if form.is_valid():
            profile = _profile_of(form)
            operations = [{"AttributePath": "userName", "AttributeValue": form.cleaned_data["user_name"]},
                          {"AttributePath": "displayName", "AttributeValue": form.cleaned_data["display_name"]}]
            for key in ("Name", "Emails"):
                operations.append({"AttributePath": key, "AttributeValue": profile[key]} if key in profile
                                  else {"AttributePath": key})
            try:
                users.update_user(caller=self.caller, identity_store_id=self.store_id, user_id=person.user_id,
                                  operations=operations)
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, USER_FIELDS)
            else:
                messages.success(request, "Saved.")
                return redirect("console:identity-store-person", user_id=person.user_id)
        return self.render("console/identity_store/person_form.html", {"form": form, "person": person}, status=400)


class WorkforceGroupsView(IdentityStoreView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q, page = self.search_text(), _page_number(request)
        found = search.search_groups(caller=self.caller, identity_store_id=self.store_id,
                                     filter_text=_contains("displayName", q), start_index=(page - 1) * PAGE_SIZE + 1,
                                     count=PAGE_SIZE)
        return self.render("console/identity_store/groups.html", {
            "groups": found.items, "total": found.total, "q": q, "page": page, "form": WorkforceGroupForm(),
            "next_page": page + 1 if page * PAGE_SIZE < found.total else None})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = WorkforceGroupForm(request.POST)
        if form.is_valid():
            try:
                group = groups.create_group(caller=self.caller, identity_store_id=self.store_id,
                                            display_name=form.cleaned_data["display_name"],
                                            description=form.cleaned_data["description"] or None)
            except AccessDenied:
                raise
            except IAMError as error:
                apply_error(form, error, GROUP_FIELDS)
            else:
                messages.success(request, f"Group {group.display_name} created.")
                return redirect("console:identity-store-group", group_id=group.group_id)
        found = search.search_groups(caller=self.caller, identity_store_id=self.store_id, count=PAGE_SIZE)
        return self.render("console/identity_store/groups.html", {
            "groups": found.items, "total": found.total, "q": "", "page": 1, "form": form, "next_page": None},
            status=400)


class WorkforceGroupView(IdentityStoreView):
    def _page(self, group_id: str, form: MemberForm, status: int = 200) -> HttpResponse:
        group = groups.describe_group(caller=self.caller, identity_store_id=self.store_id, group_id=group_id)
        members = memberships.list_group_memberships(caller=self.caller, identity_store_id=self.store_id,
                                                     group_id=group.group_id).items
        return self.render("console/identity_store/group.html", {"group": group, "members": members, "form": form},
                           status=status)

    def get(self, request: HttpRequest, group_id: str) -> HttpResponse:
        return self._page(group_id, MemberForm())

    def post(self, request: HttpRequest, group_id: str) -> HttpResponse:
        """Add a member by user name, remove a membership, or delete the group."""
        action = request.POST.get("action")
        try:
            if action == "delete":
                groups.delete_group(caller=self.caller, identity_store_id=self.store_id, group_id=group_id)
                messages.success(request, "Group deleted.")
                return redirect("console:identity-store-groups")
            if action == "remove":
                memberships.delete_group_membership(caller=self.caller, identity_store_id=self.store_id,
                                                    membership_id=request.POST.get("membership_id", ""))
                messages.success(request, "Member removed.")
                return redirect("console:identity-store-group", group_id=group_id)
            form = MemberForm(request.POST)
            if not form.is_valid():
                return self._page(group_id, form, status=400)
            person = users.get_user_id(caller=self.caller, identity_store_id=self.store_id, alternate_identifier={
                "UniqueAttribute": {"AttributePath": "userName", "AttributeValue": form.cleaned_data["user_name"]}})
            memberships.create_group_membership(caller=self.caller, identity_store_id=self.store_id,
                                                group_id=group_id, member_id={"UserId": person.user_id})
            messages.success(request, f"{person.user_name} added.")
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        return redirect("console:identity-store-group", group_id=group_id)


class ScimTokensView(IdentityStoreView):
    def get(self, request: HttpRequest) -> HttpResponse:
        found = scim_tokens.list_scim_tokens(caller=self.caller)
        return self.render("console/identity_store/scim.html", {
            "store": found.store, "tokens": found.tokens, "endpoint": request.build_absolute_uri("/scim/v2/"),
            "issued": None})

    def post(self, request: HttpRequest) -> HttpResponse:
        """Issue a token (shown on this answer only) or revoke one."""
        issued = None
        try:
            if request.POST.get("action") == "revoke":
                scim_tokens.revoke_scim_token(caller=self.caller, bearer_id=request.POST.get("token_id", ""))
                messages.success(request, "Token revoked: the identity provider can no longer use it.")
            else:
                issued = scim_tokens.issue_scim_token(caller=self.caller)
        except AccessDenied:
            raise
        except IAMError as error:
            messages.error(request, plain_message(error))
        if issued is None:
            return redirect("console:identity-store-scim")
        found = scim_tokens.list_scim_tokens(caller=self.caller)
        response = self.render("console/identity_store/scim.html", {
            "store": found.store, "tokens": found.tokens, "endpoint": request.build_absolute_uri("/scim/v2/"),
            "issued": issued})
        response["Cache-Control"] = "no-store"  # the token is on this page: never kept by the browser
        return response
