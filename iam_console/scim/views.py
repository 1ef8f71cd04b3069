"""The SCIM endpoints: /Users and /Groups (GET, POST, PUT, PATCH, DELETE), each a thin adapter over the identity
store's services; scim2-models validates every payload and applies PATCH operations."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from pydantic import ValidationError as PydanticValidationError
from scim2_models import Context, Group, PatchOp, SCIMException, ScimPolicy

from iam_console import guesses
from iam_console.callers import client_ip
from iam_console.errors import IAMError
from iam_console.operations import atomic_operations
from iam_console.scim import mapping
from iam_console.scim.auth import scim_caller
from iam_console.scim.responses import error_response, list_response, response_for_error, scim_response
from identitystore.services import groups, memberships, search, users

# What identity providers really send, beyond the RFC: Entra ID's remove with a value list, and its add or
# replace through a filtered path that matches no entry yet (`emails[type eq "work"].value`).
PROVIDERS_POLICY = ScimPolicy(remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                              unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create)
PATCH_OPERATIONS_MAX = 100
BASE_PATH = "/scim/v2"


class ScimView(View):
    """Authenticates the bearer token, reads the JSON body, and answers every refusal in SCIM's error schema."""

    resource = ""

    @method_decorator(csrf_exempt)
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.iam_metrics_door = "scim"
        request.iam_metrics_operation = f"{request.method} {self.resource}"
        # A client that keeps presenting wrong tokens backs off on the ladder every presented secret shares.
        client = client_ip(request)
        wait = guesses.client_wait(client)
        if wait:
            return _throttled(wait)
        caller = scim_caller(request)
        if caller is None:
            if request.META.get("HTTP_AUTHORIZATION"):
                wait = guesses.client_ladder().fail(client or "unknown")
                if wait:
                    return _throttled(wait)
            return error_response(401, "A valid SCIM bearer token is required.")
        self.caller, self.base_url = caller, request.build_absolute_uri(BASE_PATH)
        self.store_id = caller.principal.store_id
        try:
            return super().dispatch(request, *args, **kwargs)
        except (IAMError, SCIMException, PydanticValidationError) as error:
            return response_for_error(error)

    def http_method_not_allowed(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return error_response(405, f"{request.method} is not supported here.")

    def body(self) -> dict[str, Any]:
        try:
            raw = self.request.body
        except RequestDataTooBig:
            error = SCIMException(detail="The request body is too large.")
            error.status = 413
            raise error from None
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            raise _syntax("The request body is not JSON.") from None
        if not isinstance(body, dict):
            raise _syntax("The request body must be a JSON object.")
        return body

    def patch_op(self, model: type, body: dict[str, Any]) -> PatchOp:
        operations = body.get("Operations")
        if isinstance(operations, list) and len(operations) > PATCH_OPERATIONS_MAX:
            raise _invalid(f"A PATCH request holds at most {PATCH_OPERATIONS_MAX} operations.")
        return PatchOp[model].model_validate(_providers_patch(body), scim_ctx=Context.RESOURCE_PATCH_REQUEST,
                                             scim_policy=PROVIDERS_POLICY)

    def query(self, name: str) -> str | None:
        return self.request.GET.get(name)

    def paging(self) -> tuple[int, int | None]:
        def number(name: str) -> int | None:
            text = self.query(name)
            if text is None or text == "":
                return None
            if not text.lstrip("-").isascii() or not text.lstrip("-").isdigit() or len(text) > 9:
                raise _invalid(f"{name} must be an integer.")
            return int(text)

        return number("startIndex") or 1, number("count")


def _throttled(wait: int) -> HttpResponse:
    response = error_response(429, f"Too many failed attempts from your network: try again in {wait} seconds.")
    response["Retry-After"] = str(wait)
    return response


def _syntax(detail: str) -> SCIMException:
    error = SCIMException(detail=detail)
    error.scim_type = "invalidSyntax"
    return error


def _invalid(detail: str) -> SCIMException:
    error = SCIMException(detail=detail)
    error.scim_type = "invalidValue"
    return error


def _providers_patch(body: dict[str, Any]) -> dict[str, Any]:
    """Entra ID sends the enterprise manager as a bare id; scim2-models wants SCIM's {value, $ref}."""
    operations = body.get("Operations")
    if not isinstance(operations, list):
        return body
    fixed = []
    for operation in operations:
        if isinstance(operation, dict) and isinstance(operation.get("path"), str) \
                and operation["path"].lower().endswith(":manager") and isinstance(operation.get("value"), str):
            operation = {**operation, "value": {"value": operation["value"], "$ref": f"../Users/{operation['value']}"}}
        fixed.append(operation)
    return {**body, "Operations": fixed}


def _with_manager_ref(body: dict[str, Any]) -> dict[str, Any]:
    enterprise = body.get(mapping.ENTERPRISE_USER)
    if isinstance(enterprise, dict) and isinstance(enterprise.get("manager"), dict) \
            and "$ref" not in enterprise["manager"] and isinstance(enterprise["manager"].get("value"), str):
        manager = enterprise["manager"]
        return {**body, mapping.ENTERPRISE_USER: {**enterprise, "manager": {**manager,
                                                                           "$ref": f"../Users/{manager['value']}"}}}
    return body


class UsersView(ScimView):
    resource = "Users"

    def get(self, request: HttpRequest) -> HttpResponse:
        start, count = self.paging()
        found = search.search_users(caller=self.caller, identity_store_id=self.store_id,
                                    filter_text=self.query("filter"), start_index=start, count=count)
        return list_response([mapping.user_resource(user, self.base_url) for user in found.items], found.total,
                             found.start_index)

    def post(self, request: HttpRequest) -> HttpResponse:
        scim_user = mapping.ScimUser.model_validate(_with_manager_ref(self.body()),
                                                    scim_ctx=Context.RESOURCE_CREATION_REQUEST,
                                                    scim_policy=PROVIDERS_POLICY)
        state = mapping.state_of_scim_user(scim_user, [])
        profile = {key: value for key, value in state.items()
                   if key not in ("UserName", "DisplayName", "UserStatus", "ExternalIds") and value is not None}
        user = users.create_user(caller=self.caller, identity_store_id=self.store_id, user_name=state["UserName"],
                                 display_name=state["DisplayName"], external_ids=state["ExternalIds"],
                                 profile=profile, active=state["UserStatus"] == "ENABLED")
        body = mapping.user_resource(user, self.base_url)
        return scim_response(body, 201, location=body["meta"]["location"])


class UserView(ScimView):
    resource = "User"

    def _user(self, user_id: str):
        return users.describe_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)

    def _update(self, user, scim_user: mapping.ScimUser) -> HttpResponse:
        state = mapping.state_of_scim_user(scim_user, user.external_ids)
        operations = mapping.operations_between(mapping.user_state(user), state)
        if operations:
            user = users.update_user(caller=self.caller, identity_store_id=self.store_id, user_id=user.user_id,
                                     operations=operations)
        return scim_response(mapping.user_resource(user, self.base_url))

    def get(self, request: HttpRequest, user_id: str) -> HttpResponse:
        return scim_response(mapping.user_resource(self._user(user_id), self.base_url))

    def put(self, request: HttpRequest, user_id: str) -> HttpResponse:
        body = _with_manager_ref(self.body())
        user = self._user(user_id)
        scim_user = mapping.ScimUser.model_validate(body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
                                                    scim_policy=PROVIDERS_POLICY)
        return self._update(user, scim_user)

    def patch(self, request: HttpRequest, user_id: str) -> HttpResponse:
        body = self.body()
        user = self._user(user_id)
        patch = self.patch_op(mapping.ScimUser, body)
        scim_user = mapping.user_model(user, self.base_url)
        patch.patch(scim_user, scim_policy=PROVIDERS_POLICY)
        return self._update(user, scim_user)

    def delete(self, request: HttpRequest, user_id: str) -> HttpResponse:
        users.delete_user(caller=self.caller, identity_store_id=self.store_id, user_id=user_id)
        return HttpResponse(status=204)


class GroupsView(ScimView):
    resource = "Groups"

    def get(self, request: HttpRequest) -> HttpResponse:
        start, count = self.paging()
        found = search.search_groups(caller=self.caller, identity_store_id=self.store_id,
                                     filter_text=self.query("filter"), start_index=start, count=count)
        # A list leaves members out, as IAM Identity Center does: a group is read alone for them.
        return list_response([mapping.group_resource(group, self.base_url, None) for group in found.items],
                             found.total, found.start_index)

    def post(self, request: HttpRequest) -> HttpResponse:
        scim_group = Group.model_validate(self.body(), scim_ctx=Context.RESOURCE_CREATION_REQUEST,
                                          scim_policy=PROVIDERS_POLICY)
        state, member_ids = mapping.state_of_scim_group(scim_group, [])
        with atomic_operations():
            group = groups.create_group(caller=self.caller, identity_store_id=self.store_id,
                                        display_name=state["DisplayName"], external_ids=state["ExternalIds"])
            memberships.set_group_members(caller=self.caller, identity_store_id=self.store_id, group=group,
                                          user_ids=member_ids)
        body = mapping.group_resource(group, self.base_url, member_ids)
        return scim_response(body, 201, location=body["meta"]["location"])


class GroupView(ScimView):
    resource = "Group"

    def _group(self, group_id: str):
        return groups.describe_group(caller=self.caller, identity_store_id=self.store_id, group_id=group_id)

    def _update(self, group, scim_group: Group) -> HttpResponse:
        state, member_ids = mapping.state_of_scim_group(scim_group, group.external_ids)
        operations = [{"AttributePath": key, **({"AttributeValue": value} if value is not None else {})}
                      for key, value in state.items()
                      if value != {"DisplayName": group.display_name, "ExternalIds": group.external_ids or None}[key]]
        with atomic_operations():
            if operations:
                group = groups.update_group(caller=self.caller, identity_store_id=self.store_id,
                                            group_id=group.group_id, operations=operations)
            memberships.set_group_members(caller=self.caller, identity_store_id=self.store_id, group=group,
                                          user_ids=member_ids)
        if self.request.method == "PATCH":
            # RFC 7644 §3.5.2 lets a PATCH answer 204 (Okta and Entra ID expect it): a large group is not re-sent.
            return HttpResponse(status=204)
        return scim_response(mapping.group_resource(group, self.base_url, memberships.member_ids(group)))

    def get(self, request: HttpRequest, group_id: str) -> HttpResponse:
        group = self._group(group_id)
        excluded = {name.strip().lower() for name in (self.query("excludedAttributes") or "").split(",")}
        members = None if "members" in excluded else memberships.member_ids(group)
        return scim_response(mapping.group_resource(group, self.base_url, members))

    def put(self, request: HttpRequest, group_id: str) -> HttpResponse:
        body = self.body()
        group = self._group(group_id)
        scim_group = Group.model_validate(body, scim_ctx=Context.RESOURCE_REPLACEMENT_REQUEST,
                                          scim_policy=PROVIDERS_POLICY)
        return self._update(group, scim_group)

    def patch(self, request: HttpRequest, group_id: str) -> HttpResponse:
        body = self.body()
        group = self._group(group_id)
        patch = self.patch_op(Group, body)
        scim_group = mapping.group_model(group, self.base_url, memberships.member_ids(group))
        patch.patch(scim_group, scim_policy=PROVIDERS_POLICY)
        return self._update(group, scim_group)

    def delete(self, request: HttpRequest, group_id: str) -> HttpResponse:
        groups.delete_group(caller=self.caller, identity_store_id=self.store_id, group_id=group_id)
        return HttpResponse(status=204)
