"""REST API for policies on users and groups: attached, inline, and permissions boundaries."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from directory.services import attachments, boundaries, inline
from iam_console.rest import policy_serializers as s
from iam_console.rest.base import IAMAPIView, errors, parse


def attached_body(policies) -> dict:
    return {"attached_policies": s.AttachedPolicyOut(policies, many=True).data, "is_truncated": False}


class UserAttachedPoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListAttachedUserPolicies", responses={200: s.AttachedPolicyList,
                                                                        **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        return Response(attached_body(attachments.list_attached_user_policies(caller=self.caller(request),
                                                                              user_name=user_name)))

    @extend_schema(operation_id="AttachUserPolicy", request=s.PolicyArnRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def post(self, request, user_name: str):
        body = parse(s.PolicyArnRequest, request.data)
        attachments.attach_user_policy(caller=self.caller(request), user_name=user_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserAttachedPolicyView(IAMAPIView):
    @extend_schema(operation_id="DetachUserPolicy", responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, user_name: str, policy_arn: str):
        attachments.detach_user_policy(caller=self.caller(request), user_name=user_name, policy_arn=policy_arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupAttachedPoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListAttachedGroupPolicies", responses={200: s.AttachedPolicyList,
                                                                         **errors(401, 403, 404)})
    def get(self, request, group_name: str):
        return Response(attached_body(attachments.list_attached_group_policies(caller=self.caller(request),
                                                                               group_name=group_name)))

    @extend_schema(operation_id="AttachGroupPolicy", request=s.PolicyArnRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def post(self, request, group_name: str):
        body = parse(s.PolicyArnRequest, request.data)
        attachments.attach_group_policy(caller=self.caller(request), group_name=group_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupAttachedPolicyView(IAMAPIView):
    @extend_schema(operation_id="DetachGroupPolicy", responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, group_name: str, policy_arn: str):
        attachments.detach_group_policy(caller=self.caller(request), group_name=group_name, policy_arn=policy_arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserInlinePoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListUserPolicies", responses={200: s.InlinePolicyNames, **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        names = inline.list_user_policies(caller=self.caller(request), user_name=user_name)
        return Response({"policy_names": names, "is_truncated": False})


class UserInlinePolicyView(IAMAPIView):
    @extend_schema(operation_id="GetUserPolicy", responses={200: s.InlinePolicyOut, **errors(401, 403, 404)})
    def get(self, request, user_name: str, policy_name: str):
        policy = inline.get_user_policy(caller=self.caller(request), user_name=user_name, policy_name=policy_name)
        return Response({"user_name": policy.user.user_name, **s.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="PutUserPolicy", request=s.InlinePolicyRequest,
                   responses={200: s.InlinePolicyOut, **errors(400, 401, 403, 404, 409)})
    def put(self, request, user_name: str, policy_name: str):
        body = parse(s.InlinePolicyRequest, request.data)
        policy = inline.put_user_policy(caller=self.caller(request), user_name=user_name, policy_name=policy_name,
                                        **body)
        return Response({"user_name": policy.user.user_name, **s.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="DeleteUserPolicy", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, user_name: str, policy_name: str):
        inline.delete_user_policy(caller=self.caller(request), user_name=user_name, policy_name=policy_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupInlinePoliciesView(IAMAPIView):
    @extend_schema(operation_id="ListGroupPolicies", responses={200: s.InlinePolicyNames, **errors(401, 403, 404)})
    def get(self, request, group_name: str):
        names = inline.list_group_policies(caller=self.caller(request), group_name=group_name)
        return Response({"policy_names": names, "is_truncated": False})


class GroupInlinePolicyView(IAMAPIView):
    @extend_schema(operation_id="GetGroupPolicy", responses={200: s.InlinePolicyOut, **errors(401, 403, 404)})
    def get(self, request, group_name: str, policy_name: str):
        policy = inline.get_group_policy(caller=self.caller(request), group_name=group_name,
                                         policy_name=policy_name)
        return Response({"group_name": policy.group.group_name, **s.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="PutGroupPolicy", request=s.InlinePolicyRequest,
                   responses={200: s.InlinePolicyOut, **errors(400, 401, 403, 404, 409)})
    def put(self, request, group_name: str, policy_name: str):
        body = parse(s.InlinePolicyRequest, request.data)
        policy = inline.put_group_policy(caller=self.caller(request), group_name=group_name,
                                         policy_name=policy_name, **body)
        return Response({"group_name": policy.group.group_name, **s.InlinePolicyOut(policy).data})

    @extend_schema(operation_id="DeleteGroupPolicy", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, group_name: str, policy_name: str):
        inline.delete_group_policy(caller=self.caller(request), group_name=group_name, policy_name=policy_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserPermissionsBoundaryView(IAMAPIView):
    @extend_schema(operation_id="PutUserPermissionsBoundary", request=s.PermissionsBoundaryRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def put(self, request, user_name: str):
        body = parse(s.PermissionsBoundaryRequest, request.data)
        boundaries.put_user_permissions_boundary(caller=self.caller(request), user_name=user_name, **body)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="DeleteUserPermissionsBoundary", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, user_name: str):
        boundaries.delete_user_permissions_boundary(caller=self.caller(request), user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)
