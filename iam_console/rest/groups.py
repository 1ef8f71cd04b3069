"""REST API for groups: CreateGroup, ListGroups, GetGroup, UpdateGroup, DeleteGroup, memberships."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from directory.services import groups as group_services
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, page_body, parse


class GroupListView(IAMAPIView):
    @extend_schema(operation_id="ListGroups", parameters=[s.PathPageQuery],
                   responses={200: s.GroupPage, **errors(400, 401, 403)})
    def get(self, request):
        query = parse(s.PathPageQuery, request.query_params)
        page = group_services.list_groups(caller=self.caller(request), path_prefix=query.get("path_prefix") or "/",
                                          **s.PageQuery.page_arguments(query))
        return Response(page_body(page, "groups", s.GroupOut))

    @extend_schema(operation_id="CreateGroup", request=s.CreateGroupRequest,
                   responses={201: s.GroupEnvelope, **errors(400, 401, 403, 409)})
    def post(self, request):
        body = parse(s.CreateGroupRequest, request.data)
        group = group_services.create_group(caller=self.caller(request), **body)
        return Response({"group": s.GroupOut(group).data}, status=status.HTTP_201_CREATED)


class GroupDetailView(IAMAPIView):
    @extend_schema(operation_id="GetGroup", parameters=[s.PageQuery],
                   responses={200: s.GroupWithUsersOut, **errors(400, 401, 403, 404)})
    def get(self, request, group_name: str):
        query = parse(s.PageQuery, request.query_params)
        result = group_services.get_group(caller=self.caller(request), group_name=group_name,
                                          **s.PageQuery.page_arguments(query))
        return Response({"group": s.GroupOut(result.group).data, **page_body(result.users, "users", s.UserOut)})

    @extend_schema(operation_id="UpdateGroup", request=s.UpdateGroupRequest,
                   responses={200: s.GroupEnvelope, **errors(400, 401, 403, 404, 409)})
    def patch(self, request, group_name: str):
        body = parse(s.UpdateGroupRequest, request.data)
        group = group_services.update_group(caller=self.caller(request), group_name=group_name, **body)
        return Response({"group": s.GroupOut(group).data})

    @extend_schema(operation_id="DeleteGroup", responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request, group_name: str):
        group_services.delete_group(caller=self.caller(request), group_name=group_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMembersView(IAMAPIView):
    @extend_schema(operation_id="AddUserToGroup", request=s.AddMemberRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def post(self, request, group_name: str):
        body = parse(s.AddMemberRequest, request.data)
        group_services.add_user_to_group(caller=self.caller(request), group_name=group_name,
                                         user_name=body["user_name"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupMemberView(IAMAPIView):
    @extend_schema(operation_id="RemoveUserFromGroup", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, group_name: str, user_name: str):
        group_services.remove_user_from_group(caller=self.caller(request), group_name=group_name,
                                              user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)
