"""REST API for other services: verify a caller's signature, decide requests, and the service catalogue."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from iam_console.errors import IAMError
from iam_console.rest.base import IAMAPIView
from policies.services import catalogue
from sts import decisions

_ANY = serializers.JSONField()

_DECISION = inline_serializer("AuthorizationDecision", {
    "decision": serializers.ChoiceField(choices=["allowed", "explicitDeny", "implicitDeny"]),
    "allowed": serializers.BooleanField(),
    "matched_statements": serializers.ListField(child=serializers.DictField(), help_text="Only statements of "
                                                "policies the asking service may read (iam:GetPolicy, "
                                                "iam:GetUserPolicy, iam:GetGroupPolicy, iam:GetRolePolicy), and of "
                                                "the resource policy it sent."),
    "principal": serializers.DictField(help_text="arn, account, type (user, root, assumed-role); with iam:GetUser "
                                       "(iam:GetRole for a session's role) on the principal also user_id, user_name "
                                       "or role_name and role_session_name; tags with iam:ListUserTags (ListRoleTags); "
                                       "groups with iam:ListGroupsForUser. A principal that does not exist is an "
                                       "implicitDeny with arn, account and type only."),
})
_DECIDE_REQUEST = inline_serializer("AuthorizationDecideRequest", {
    "principal_arn": serializers.CharField(help_text="A user ARN, the root ARN, or an assumed-role session ARN."),
    "action": serializers.CharField(help_text="<service prefix>:<ActionName>, e.g. docs:GetDocument"),
    "resource": serializers.CharField(required=False, help_text="The resource ARN (default *)."),
    "context": serializers.DictField(required=False, help_text="Condition keys of the request."),
    "resource_policy": _ANY,
})
_VERIFY_REQUEST = inline_serializer("AuthorizationVerifyRequest", {
    "service": serializers.CharField(help_text="The signing name callers sign for (their credential scope)."),
    "request": serializers.DictField(help_text="method, path (as sent, encoded), query, headers (the signed "
                                     "ones, as received), payload_sha256 (hex SHA-256 of the body)"),
    "authorize": serializers.DictField(required=False, help_text="action, resource, context, resource_policy: "
                                       "decide the request in the same call."),
})
_ERRORS = {status: OpenApiResponse(description=text) for status, text in
           ((400, "Invalid input"), (401, "Not authenticated"), (403, "Access denied"), (404, "No such entity"))}


def _body(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class VerifyView(IAMAPIView):
    @extend_schema(operation_id="VerifyRequestSignature", request=_VERIFY_REQUEST,
                   responses={200: OpenApiResponse(description="verified, principal, access_key_id, decision; or "
                                                   "verified false with the error AWS would give"), **_ERRORS},
                   description="Verify a SigV4 signature (Authorization header or presigned URL) that another "
                   "service received, and optionally decide the request. Needs iam:AuthorizeRequest on "
                   "arn:aws:iam::<account>:service/<signing name> (and on the authorize action's prefix); requests "
                   "signed for iam or sts are never verified. Answers the signer's identity; its tags and groups "
                   "only with iam:ListUserTags / iam:ListGroupsForUser on it.")
    def post(self, request):
        body = _body(request)
        result = decisions.verify_request(service_caller=self.caller(request), service=body.get("service"),
                                          material=body.get("request"), authorize=body.get("authorize"))
        return Response(result.as_dict())


class DecideView(IAMAPIView):
    @extend_schema(operation_id="AuthorizeRequest", request=_DECIDE_REQUEST, responses={200: _DECISION, **_ERRORS},
                   description="May this principal perform this action on this resource? Evaluated with the "
                   "directory's policies (and the resource policy given), audited under the service's name.")
    def post(self, request):
        body = _body(request)
        result = decisions.decide_for_principal(service_caller=self.caller(request),
                                                principal_arn=body.get("principal_arn"), body=body)
        return Response(result.as_dict())


class DecideBatchView(IAMAPIView):
    @extend_schema(operation_id="BatchAuthorizeRequest",
                   request=inline_serializer("AuthorizationBatchRequest", {"requests": serializers.ListField(
                       child=serializers.DictField(), max_length=decisions.MAX_BATCH)}),
                   responses={200: inline_serializer("AuthorizationBatchResult", {
                       "results": serializers.ListField(child=serializers.DictField())}), **_ERRORS},
                   description="Up to 30 decisions in one call; an item that cannot be decided answers its own "
                   "error.")
    def post(self, request):
        results = decisions.decide_batch(service_caller=self.caller(request), requests=_body(request).get("requests"))
        return Response({"results": [{"error": item.as_dict()} if isinstance(item, IAMError) else item.as_dict()
                                     for item in results]})


def _definition(service) -> dict:
    return {"service_prefix": service.service_prefix, "service_arn": service.arn, "name": service.name,
            "description": service.description, **service.definition,
            "create_date": service.create_date.isoformat().replace("+00:00", "Z"),
            "update_date": service.update_date.isoformat().replace("+00:00", "Z")}


_SERVICE = inline_serializer("ServiceDefinition", {
    "service_prefix": serializers.CharField(), "service_arn": serializers.CharField(required=False),
    "name": serializers.CharField(), "description": serializers.CharField(required=False),
    "actions": serializers.ListField(child=serializers.DictField(), help_text="name, access_level (List, Read, "
                                     "Write, Permissions management, Tagging), resource_types, description"),
    "resource_types": serializers.ListField(child=serializers.DictField(), required=False,
                                            help_text="name, arn_format"),
    "condition_keys": serializers.ListField(child=serializers.DictField(), required=False,
                                            help_text="name (<prefix>:<Key>), type, description"),
})


class ServiceListView(IAMAPIView):
    @extend_schema(operation_id="ListServiceDefinitions", responses={200: inline_serializer(
        "ServiceDefinitionList", {"services": serializers.ListField(child=serializers.DictField())}), **_ERRORS})
    def get(self, request):
        services = catalogue.list_service_definitions(caller=self.caller(request))
        return Response({"services": [_definition(service) for service in services]})

    @extend_schema(operation_id="PutServiceDefinition", request=_SERVICE, responses={200: _SERVICE, 201: _SERVICE,
                                                                                      **_ERRORS},
                   description="Register a service (or replace its definition): its actions, resource types and "
                   "condition keys become known to the validator, the editor, summaries and the simulator.")
    def post(self, request):
        body = _body(request)
        result = catalogue.put_service_definition(
            caller=self.caller(request), service_prefix=body.get("service_prefix"), name=body.get("name"),
            actions=body.get("actions"), resource_types=body.get("resource_types"),
            condition_keys=body.get("condition_keys"), description=body.get("description") or "")
        return Response(_definition(result.service), status=201 if result.created else 200)


class ServiceActionsView(IAMAPIView):
    @extend_schema(operation_id="ListServiceActions", responses={200: inline_serializer(
        "ServiceActionList", {"actions": serializers.ListField(child=serializers.DictField())}), **_ERRORS},
                   description="Every action a policy may name (iam, sts and registered services) with its access "
                   "level: what the policy editor completes. Needs iam:ListServiceDefinitions.")
    def get(self, request):
        return Response({"actions": catalogue.list_service_actions(caller=self.caller(request))})


class ServiceDetailView(IAMAPIView):
    @extend_schema(operation_id="GetServiceDefinition", responses={200: _SERVICE, **_ERRORS})
    def get(self, request, service_prefix: str):
        service = catalogue.get_service_definition(caller=self.caller(request), service_prefix=service_prefix)
        return Response(_definition(service))

    @extend_schema(operation_id="DeleteServiceDefinition", responses={204: None, **_ERRORS})
    def delete(self, request, service_prefix: str):
        catalogue.delete_service_definition(caller=self.caller(request), service_prefix=service_prefix)
        return Response(status=204)
