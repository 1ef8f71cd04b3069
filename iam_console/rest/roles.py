"""REST API for roles: Create/Get/Update/Delete/ListRoles, trust policy, tags, role policies, session revocation."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from directory.services import role_policies
from directory.services import roles as role_services
from iam_console.rest import policy_serializers as ps
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, page_body, parse
from sts import services as sts_services

# --- Requests ---------------------------------------------------------------------------------------


class CreateRoleRequest(s.StrictSerializer):
    role_name = s.Text(help_text="1 to 64 characters from letters, digits and +=,.@_-")
    assume_role_policy_document = s.PolicyDocumentField(
        help_text="The trust policy: who may assume the role, as a JSON object or JSON text (at most 2,048 "
                  "characters without whitespace).")
    path = s.Text(required=False, default="/")
    description = s.Text(required=False, default="", allow_blank=True, help_text="At most 1,000 characters.")
    max_session_duration = serializers.IntegerField(required=False, default=3600,
                                                    help_text="3,600 to 43,200 seconds (default 3,600).")
    permissions_boundary = s.Text(required=False, help_text="The ARN of a managed policy that caps the role.")
    tags = s.TagSerializer(many=True, required=False, default=list)


class UpdateRoleRequest(s.StrictSerializer):
    description = s.Text(required=False, allow_blank=True)
    max_session_duration = serializers.IntegerField(required=False)


class TrustPolicyRequest(s.StrictSerializer):
    policy_document = s.PolicyDocumentField(help_text="The new trust policy, as a JSON object or JSON text.")


# --- Responses --------------------------------------------------------------------------------------


class RoleOut(serializers.Serializer):
    role_name = serializers.CharField()
    role_id = serializers.CharField()
    arn = serializers.CharField()
    path = serializers.CharField()
    description = serializers.CharField()
    max_session_duration = serializers.IntegerField()
    create_date = s.Date()
    assume_role_policy_document = serializers.CharField()
    tags = s.PrefetchedTagsField()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data.get("tags") is None:
            data.pop("tags", None)
        return data


class RoleLastUsedOut(serializers.Serializer):
    last_used_date = s.Date(allow_null=True)


class PermissionsBoundaryOut(serializers.Serializer):
    permissions_boundary_type = serializers.CharField()
    permissions_boundary_arn = serializers.CharField()


class RoleDetailOut(RoleOut):
    role_last_used = RoleLastUsedOut(source="*")
    permissions_boundary = serializers.SerializerMethodField()

    @extend_schema_field(PermissionsBoundaryOut(required=False))
    def get_permissions_boundary(self, role) -> dict | None:
        boundary = role_policies.role_permissions_boundary(role)
        if boundary is None:
            return None
        return {"permissions_boundary_type": "PermissionsBoundaryPolicy", "permissions_boundary_arn": boundary.arn}


class RoleEnvelope(serializers.Serializer):
    role = RoleDetailOut()


class RolePage(serializers.Serializer):
    roles = RoleOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class RevocationOut(serializers.Serializer):
    revoked_before = s.Date()
    sessions = serializers.IntegerField(help_text="Live sessions the revocation ended.")


def role_body(role) -> dict:
    prefetch_related_objects([role], "tags")
    data = RoleDetailOut(role).data
    if data.get("permissions_boundary") is None:
        data.pop("permissions_boundary", None)
    return {"role": data}


# --- Roles ------------------------------------------------------------------------------------------


class RoleListView(IAMAPIView):
    @extend_schema(operation_id="ListRoles", parameters=[s.PathPageQuery],
                   responses={200: RolePage, **errors(400, 401, 403)})
    def get(self, request):
        query = parse(s.PathPageQuery, request.query_params)
        page = role_services.list_roles(caller=self.caller(request), path_prefix=query.get("path_prefix") or "/",
                                        **s.PageQuery.page_arguments(query))
        return Response(page_body(page, "roles", RoleOut))

    @extend_schema(operation_id="CreateRole", request=CreateRoleRequest,
                   responses={201: RoleEnvelope, **errors(400, 401, 403, 404, 409)})
    def post(self, request):
        body = parse(CreateRoleRequest, request.data)
        body["tags"] = [dict(tag) for tag in body["tags"]]
        role = role_services.create_role(caller=self.caller(request), **body)
        return Response(role_body(role), status=status.HTTP_201_CREATED)


class RoleDetailView(IAMAPIView):
    @extend_schema(operation_id="GetRole", responses={200: RoleEnvelope, **errors(401, 403, 404)})
    def get(self, request, role_name: str):
        return Response(role_body(role_services.get_role(caller=self.caller(request), role_name=role_name)))

    @extend_schema(operation_id="UpdateRole", request=UpdateRoleRequest,
                   responses={200: RoleEnvelope, **errors(400, 401, 403, 404)})
    def patch(self, request, role_name: str):
        body = parse(UpdateRoleRequest, request.data)
        role = role_services.update_role(caller=self.caller(request), role_name=role_name, **body)
        return Response(role_body(role))

    @extend_schema(operation_id="DeleteRole", responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request, role_name: str):
        role_services.delete_role(caller=self.caller(request), role_name=role_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleTrustPolicyView(IAMAPIView):
    @extend_schema(operation_id="UpdateAssumeRolePolicy", request=TrustPolicyRequest,
                   responses={200: RoleEnvelope, **errors(400, 401, 403, 404)})
    def put(self, request, role_name: str):
        body = parse(TrustPolicyRequest, request.data)
        role = role_services.update_assume_role_policy(caller=self.caller(request), role_name=role_name, **body)
        return Response(role_body(role))


def tag_list_body(tags) -> dict:
    return {"tags": s.TagOut(tags, many=True).data, "is_truncated": False}


class RoleTagsView(IAMAPIView):
    @extend_schema(operation_id="ListRoleTags", responses={200: s.TagList, **errors(401, 403, 404)})
    def get(self, request, role_name: str):
        return Response(tag_list_body(role_services.list_role_tags(caller=self.caller(request), role_name=role_name)))

    @extend_schema(operation_id="TagRole", request=s.TagUserRequest,
                   responses={200: s.TagList, **errors(400, 401, 403, 404, 409)})
    def post(self, request, role_name: str):
        body = parse(s.TagUserRequest, request.data)
        tags = role_services.tag_role(caller=self.caller(request), role_name=role_name,
                                      tags=[dict(tag) for tag in body["tags"]])
        return Response(tag_list_body(tags))

    @extend_schema(operation_id="UntagRole", parameters=[s.UntagUserRequest], request=s.UntagUserRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, role_name: str):
        source = request.query_params if "tag_keys" in request.query_params else request.data
        body = parse(s.UntagUserRequest, source)
        role_services.untag_role(caller=self.caller(request), role_name=role_name, tag_keys=list(body["tag_keys"]))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleSessionsRevocationView(IAMAPIView):
    @extend_schema(operation_id="RevokeRoleSessions", request=None,
                   responses={200: RevocationOut, **errors(401, 403, 404)})
    def post(self, request, role_name: str):
        revocation = sts_services.revoke_role_sessions(caller=self.caller(request), role_name=role_name)
        return Response(RevocationOut(revocation).data)


class UserSessionsRevocationView(IAMAPIView):
    @extend_schema(operation_id="RevokeUserSessions", request=None,
                   responses={200: RevocationOut, **errors(401, 403, 404)})
    def post(self, request, user_name: str):
        revocation = sts_services.revoke_user_sessions(caller=self.caller(request), user_name=user_name)
        return Response(RevocationOut(revocation).data)


# --- Role policies ----------------------------------------------------------------------------------


class RoleAttachedPoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListAttachedRolePolicies", responses={200: ps.AttachedPolicyList,
                                                                        **errors(401, 403, 404)})
    def get(self, request, role_name: str):
        found = role_policies.list_attached_role_policies(caller=self.caller(request), role_name=role_name)
        return Response({"attached_policies": ps.AttachedPolicyOut(found, many=True).data, "is_truncated": False})

    @extend_schema(operation_id="AttachRolePolicy", request=ps.PolicyArnRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def post(self, request, role_name: str):
        body = parse(ps.PolicyArnRequest, request.data)
        role_policies.attach_role_policy(caller=self.caller(request), role_name=role_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleAttachedPolicyView(IAMAPIView):
    @extend_schema(operation_id="DetachRolePolicy", responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, role_name: str, policy_arn: str):
        role_policies.detach_role_policy(caller=self.caller(request), role_name=role_name, policy_arn=policy_arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoleInlinePoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListRolePolicies", responses={200: ps.InlinePolicyNames, **errors(401, 403, 404)})
    def get(self, request, role_name: str):
        names = role_policies.list_role_policies(caller=self.caller(request), role_name=role_name)
        return Response({"policy_names": names, "is_truncated": False})


class RoleInlinePolicyView(IAMAPIView):
    @extend_schema(operation_id="GetRolePolicy", responses={200: ps.InlinePolicyOut, **errors(401, 403, 404)})
    def get(self, request, role_name: str, policy_name: str):
        policy = role_policies.get_role_policy(caller=self.caller(request), role_name=role_name,
                                               policy_name=policy_name)
        return Response({"role_name": policy.role.role_name, **ps.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="PutRolePolicy", request=ps.InlinePolicyRequest,
                   responses={200: ps.InlinePolicyOut, **errors(400, 401, 403, 404, 409)})
    def put(self, request, role_name: str, policy_name: str):
        body = parse(ps.InlinePolicyRequest, request.data)
        policy = role_policies.put_role_policy(caller=self.caller(request), role_name=role_name,
                                               policy_name=policy_name, **body)
        return Response({"role_name": policy.role.role_name, **ps.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="DeleteRolePolicy", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, role_name: str, policy_name: str):
        role_policies.delete_role_policy(caller=self.caller(request), role_name=role_name, policy_name=policy_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RolePermissionsBoundaryView(IAMAPIView):
    @extend_schema(operation_id="PutRolePermissionsBoundary", request=ps.PermissionsBoundaryRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def put(self, request, role_name: str):
        body = parse(ps.PermissionsBoundaryRequest, request.data)
        role_policies.put_role_permissions_boundary(caller=self.caller(request), role_name=role_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="DeleteRolePermissionsBoundary", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, role_name: str):
        role_policies.delete_role_permissions_boundary(caller=self.caller(request), role_name=role_name)
        return Response(status=status.HTTP_204_NO_CONTENT)
