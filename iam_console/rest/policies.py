"""REST API for managed policies, versions, tags, validation and simulation."""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from directory.services import attachments, simulation
from iam_console.rest import policy_serializers as s
from iam_console.rest import serializers as common
from iam_console.rest.base import IAMAPIView, errors, parse
from policies.services import managed, policy_tags


def policy_body(policy) -> dict:
    """The policy as the API shows it; its usage counts come from the service, within the caller's account."""
    return {"policy": s.PolicyOut(policy).data}


class PolicyListView(IAMAPIView):
    @extend_schema(operation_id="ListPolicies", parameters=[s.ListPoliciesQuery],
                   responses={200: s.PolicyPage, **errors(400, 401, 403)})
    def get(self, request):
        query = parse(s.ListPoliciesQuery, request.query_params)
        page = managed.list_policies(caller=self.caller(request), scope=query["scope"],
                                     only_attached=query["only_attached"], path_prefix=query["path_prefix"],
                                     marker=query.get("marker"), max_items=query.get("limit", query.get("max_items")))
        return Response({"policies": s.PolicyOut(page.items, many=True).data, "is_truncated": page.is_truncated,
                         "marker": page.marker})

    @extend_schema(operation_id="CreatePolicy", request=s.CreatePolicyRequest,
                   responses={201: s.PolicyEnvelope, **errors(400, 401, 403, 409)})
    def post(self, request):
        body = parse(s.CreatePolicyRequest, request.data)
        if "tags" in body:
            body["tags"] = [dict(tag) for tag in body["tags"]]
        policy = managed.create_policy(caller=self.caller(request), **body)
        return Response(policy_body(policy), status=status.HTTP_201_CREATED)


class PolicyDetailView(IAMAPIView):
    @extend_schema(operation_id="GetPolicy", responses={200: s.PolicyEnvelope, **errors(400, 401, 403, 404)})
    def get(self, request, policy_arn: str):
        return Response(policy_body(managed.get_policy(caller=self.caller(request), policy_arn=policy_arn)))

    @extend_schema(operation_id="DeletePolicy", responses={204: None, **errors(400, 401, 403, 404, 409)})
    def delete(self, request, policy_arn: str):
        managed.delete_policy(caller=self.caller(request), policy_arn=policy_arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyVersionListView(IAMAPIView):
    @extend_schema(operation_id="ListPolicyVersions", responses={200: s.PolicyVersionList, **errors(401, 403, 404)})
    def get(self, request, policy_arn: str):
        versions = managed.list_policy_versions(caller=self.caller(request), policy_arn=policy_arn)
        return Response({"versions": s.PolicyVersionOut(versions, many=True).data, "is_truncated": False})

    @extend_schema(operation_id="CreatePolicyVersion", request=s.CreatePolicyVersionRequest,
                   responses={201: s.PolicyVersionEnvelope, **errors(400, 401, 403, 404, 409)})
    def post(self, request, policy_arn: str):
        body = parse(s.CreatePolicyVersionRequest, request.data)
        version = managed.create_policy_version(caller=self.caller(request), policy_arn=policy_arn, **body)
        return Response({"policy_version": s.PolicyVersionOut(version).data}, status=status.HTTP_201_CREATED)


class PolicyVersionDetailView(IAMAPIView):
    @extend_schema(operation_id="GetPolicyVersion", responses={200: s.PolicyVersionEnvelope,
                                                                **errors(400, 401, 403, 404)})
    def get(self, request, policy_arn: str, version_id: str):
        version = managed.get_policy_version(caller=self.caller(request), policy_arn=policy_arn,
                                             version_id=version_id)
        return Response({"policy_version": s.PolicyVersionOut(version).data})

    @extend_schema(operation_id="DeletePolicyVersion", responses={204: None, **errors(400, 401, 403, 404, 409)})
    def delete(self, request, policy_arn: str, version_id: str):
        managed.delete_policy_version(caller=self.caller(request), policy_arn=policy_arn, version_id=version_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyDefaultVersionView(IAMAPIView):
    @extend_schema(operation_id="SetDefaultPolicyVersion", request=s.SetDefaultVersionRequest,
                   responses={200: s.PolicyEnvelope, **errors(400, 401, 403, 404)})
    def put(self, request, policy_arn: str):
        body = parse(s.SetDefaultVersionRequest, request.data)
        policy = managed.set_default_policy_version(caller=self.caller(request), policy_arn=policy_arn, **body)
        return Response(policy_body(policy))


def _tags_body(tags) -> dict:
    return {"tags": common.TagOut(tags, many=True).data, "is_truncated": False}


class PolicyTagsView(IAMAPIView):
    @extend_schema(operation_id="ListPolicyTags", responses={200: common.TagList, **errors(401, 403, 404)})
    def get(self, request, policy_arn: str):
        return Response(_tags_body(policy_tags.list_policy_tags(caller=self.caller(request), policy_arn=policy_arn)))

    @extend_schema(operation_id="TagPolicy", request=common.TagUserRequest,
                   responses={200: common.TagList, **errors(400, 401, 403, 404, 409)})
    def post(self, request, policy_arn: str):
        body = parse(common.TagUserRequest, request.data)
        tags = policy_tags.tag_policy(caller=self.caller(request), policy_arn=policy_arn,
                                      tags=[dict(tag) for tag in body["tags"]])
        return Response(_tags_body(tags))

    @extend_schema(operation_id="UntagPolicy", parameters=[common.UntagUserRequest], request=common.UntagUserRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, policy_arn: str):
        # tag_keys may come as repeated query parameters (?tag_keys=a&tag_keys=b) or in a JSON body.
        source = request.query_params if "tag_keys" in request.query_params else request.data
        body = parse(common.UntagUserRequest, source)
        policy_tags.untag_policy(caller=self.caller(request), policy_arn=policy_arn, tag_keys=list(body["tag_keys"]))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyEntitiesView(IAMAPIView):
    @extend_schema(operation_id="ListEntitiesForPolicy", responses={200: s.PolicyEntities, **errors(401, 403, 404)})
    def get(self, request, policy_arn: str):
        entities = attachments.list_entities_for_policy(caller=self.caller(request), policy_arn=policy_arn)
        return Response({
            "policy_users": [{"user_name": u.user_name, "user_id": u.user_id} for u in entities.users],
            "policy_groups": [{"group_name": g.group_name, "group_id": g.group_id} for g in entities.groups],
            "policy_roles": [{"role_name": r.role_name, "role_id": r.role_id} for r in entities.roles],
            "permissions_boundary_users": [{"user_name": u.user_name, "user_id": u.user_id}
                                           for u in entities.boundary_users],
            "permissions_boundary_roles": [{"role_name": r.role_name, "role_id": r.role_id}
                                           for r in entities.boundary_roles],
        })


class ValidatePolicyView(IAMAPIView):
    @extend_schema(operation_id="ValidatePolicy", request=s.ValidatePolicyRequest,
                   responses={200: s.ValidatePolicyResponse, **errors(400, 401, 403)})
    def post(self, request):
        body = parse(s.ValidatePolicyRequest, request.data)
        outcome = simulation.validate_policy(caller=self.caller(request), **body)
        return Response({"valid": outcome.valid, "findings": outcome.findings})


def simulation_body(results) -> dict:
    return {"results": [asdict(result) for result in results]}


class SimulateCustomPolicyView(IAMAPIView):
    @extend_schema(operation_id="SimulateCustomPolicy", request=s.SimulateCustomPolicyRequest,
                   responses={200: s.SimulationResponse, **errors(400, 401, 403)})
    def post(self, request):
        body = parse(s.SimulateCustomPolicyRequest, request.data)
        body["context_entries"] = [dict(entry) for entry in body["context_entries"]]
        return Response(simulation_body(simulation.simulate_custom_policy(caller=self.caller(request), **body)))


class SimulatePrincipalPolicyView(IAMAPIView):
    @extend_schema(operation_id="SimulatePrincipalPolicy", request=s.SimulatePrincipalPolicyRequest,
                   responses={200: s.SimulationResponse, **errors(400, 401, 403, 404)})
    def post(self, request, user_name: str):
        body = parse(s.SimulatePrincipalPolicyRequest, request.data)
        body["context_entries"] = [dict(entry) for entry in body["context_entries"]]
        return Response(simulation_body(simulation.simulate_principal_policy(
            caller=self.caller(request), user_name=user_name, **body)))
