"""REST API for users: CreateUser, ListUsers, GetUser, UpdateUser, DeleteUser, ListGroupsForUser, tags."""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from directory.services import tags as tag_services
from directory.services import users as user_services
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, page_body, parse


def user_body(user) -> dict:
    """GetUser's answer: the user with its tags and, when it has one, its permissions boundary (AWS's shape)."""
    prefetch_related_objects([user], "tags")
    body = s.UserOut(user).data
    boundary = getattr(user, "permissions_boundary", None)  # policies.UserPermissionsBoundary, one-to-one
    if boundary is not None:
        body["permissions_boundary"] = {"permissions_boundary_type": "PermissionsBoundaryPolicy",
                                        "permissions_boundary_arn": boundary.policy.arn}
    return {"user": body}


class UserListView(IAMAPIView):
    @extend_schema(operation_id="ListUsers", parameters=[s.PathPageQuery], responses={200: s.UserPage,
                   **errors(400, 401, 403)})
    def get(self, request):
        query = parse(s.PathPageQuery, request.query_params)
        page = user_services.list_users(caller=self.caller(request), path_prefix=query.get("path_prefix") or "/",
                                        **s.PageQuery.page_arguments(query))
        return Response(page_body(page, "users", s.UserOut))

    @extend_schema(operation_id="CreateUser", request=s.CreateUserRequest,
                   responses={201: s.UserEnvelope, **errors(400, 401, 403, 409)})
    def post(self, request):
        body = parse(s.CreateUserRequest, request.data)
        user = user_services.create_user(caller=self.caller(request), user_name=body["user_name"],
                                         path=body["path"], tags=[dict(tag) for tag in body["tags"]],
                                         permissions_boundary=body["permissions_boundary"])
        return Response(user_body(user), status=status.HTTP_201_CREATED)


class UserDetailView(IAMAPIView):
    @extend_schema(operation_id="GetUser", responses={200: s.UserEnvelope, **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        user = user_services.get_user(caller=self.caller(request), user_name=user_name)
        return Response(user_body(user))

    @extend_schema(operation_id="UpdateUser", request=s.UpdateUserRequest,
                   responses={200: s.UserEnvelope, **errors(400, 401, 403, 404, 409)})
    def patch(self, request, user_name: str):
        body = parse(s.UpdateUserRequest, request.data)
        user = user_services.update_user(caller=self.caller(request), user_name=user_name, **body)
        return Response(user_body(user))

    @extend_schema(operation_id="DeleteUser", responses={204: None, **errors(401, 403, 404, 409)})
    def delete(self, request, user_name: str):
        user_services.delete_user(caller=self.caller(request), user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class UserGroupsView(IAMAPIView):
    @extend_schema(operation_id="ListGroupsForUser", parameters=[s.PageQuery],
                   responses={200: s.GroupPage, **errors(400, 401, 403, 404)})
    def get(self, request, user_name: str):
        query = parse(s.PageQuery, request.query_params)
        page = user_services.list_groups_for_user(caller=self.caller(request), user_name=user_name,
                                                  **s.PageQuery.page_arguments(query))
        return Response(page_body(page, "groups", s.GroupOut))


def tag_list_body(tags) -> dict:
    return {"tags": s.TagOut(tags, many=True).data, "is_truncated": False}


class UserTagsView(IAMAPIView):
    @extend_schema(operation_id="ListUserTags", responses={200: s.TagList, **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        tags = tag_services.list_user_tags(caller=self.caller(request), user_name=user_name)
        return Response(tag_list_body(tags))

    @extend_schema(operation_id="TagUser", request=s.TagUserRequest,
                   responses={200: s.TagList, **errors(400, 401, 403, 404, 409)})
    def post(self, request, user_name: str):
        body = parse(s.TagUserRequest, request.data)
        tags = tag_services.tag_user(caller=self.caller(request), user_name=user_name,
                                     tags=[dict(tag) for tag in body["tags"]])
        return Response(tag_list_body(tags))

    @extend_schema(operation_id="UntagUser", parameters=[s.UntagUserRequest], request=s.UntagUserRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, user_name: str):
        # tag_keys may come as repeated query parameters (?tag_keys=a&tag_keys=b) or in a JSON body.
        source = request.query_params if "tag_keys" in request.query_params else request.data
        body = parse(s.UntagUserRequest, source)
        tag_services.untag_user(caller=self.caller(request), user_name=user_name, tag_keys=list(body["tag_keys"]))
        return Response(status=status.HTTP_204_NO_CONTENT)
