"""REST API for a user's credentials: access keys and the login profile (console password)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.response import Response

from directory.services import access_keys as key_services
from directory.services import login_profiles as profile_services
from iam_console.errors import NoSuchEntity
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, parse

# Routes under users/<name>/ name the user; the same views under me/ act on the caller (no user_name, as in AWS).


class AccessKeyListView(IAMAPIView):
    @extend_schema(operation_id="ListAccessKeys", responses={200: s.AccessKeyList, **errors(401, 403, 404)})
    def get(self, request, user_name: str | None = None):
        user, keys = key_services.list_access_keys(caller=self.caller(request), user_name=user_name)
        for key in keys:
            key.user = user  # the rows' user is the one we already have: no query per key
        return Response({"user_name": user.user_name, "access_key_metadata": s.AccessKeyOut(keys, many=True).data,
                         "is_truncated": False})

    @extend_schema(operation_id="CreateAccessKey", request=None,
                   responses={201: s.NewAccessKeyEnvelope, **errors(401, 403, 404, 409)})
    def post(self, request, user_name: str | None = None):
        parse(s.StrictSerializer, request.data)
        new_key = key_services.create_access_key(caller=self.caller(request), user_name=user_name)
        return Response({"access_key": s.NewAccessKeyOut(new_key).data}, status=status.HTTP_201_CREATED)


class AccessKeyDetailView(IAMAPIView):
    @extend_schema(operation_id="GetAccessKeyLastUsed",
                   responses={200: s.AccessKeyLastUsedEnvelope, **errors(401, 403, 404)})
    def get(self, request, access_key_id: str, user_name: str | None = None):
        caller = self.caller(request)
        key = key_services.get_access_key_last_used(caller=caller, access_key_id=access_key_id)
        owner = user_name.lower() if user_name else getattr(caller.principal, "user_name_key", None)
        if key.user.user_name_key != owner:
            # The key exists but not under this user: answer as if it did not exist at all.
            raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
        return Response({"user_name": key.user.user_name, "access_key_last_used": s.AccessKeyLastUsedOut(key).data})

    @extend_schema(operation_id="UpdateAccessKey", request=s.UpdateAccessKeyRequest,
                   responses={200: s.AccessKeyEnvelope, **errors(400, 401, 403, 404)})
    def patch(self, request, access_key_id: str, user_name: str | None = None):
        body = parse(s.UpdateAccessKeyRequest, request.data)
        key = key_services.update_access_key(caller=self.caller(request), access_key_id=access_key_id,
                                             status=body["status"], user_name=user_name)
        return Response({"access_key": s.AccessKeyOut(key).data})

    @extend_schema(operation_id="DeleteAccessKey", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, access_key_id: str, user_name: str | None = None):
        key_services.delete_access_key(caller=self.caller(request), access_key_id=access_key_id,
                                       user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginProfileView(IAMAPIView):
    @extend_schema(operation_id="GetLoginProfile", responses={200: s.LoginProfileEnvelope, **errors(401, 403, 404)})
    def get(self, request, user_name: str):
        user = profile_services.get_login_profile(caller=self.caller(request), user_name=user_name)
        return Response({"login_profile": s.LoginProfileOut(user).data})

    @extend_schema(operation_id="CreateLoginProfile", request=s.CreateLoginProfileRequest,
                   responses={201: s.LoginProfileEnvelope, **errors(400, 401, 403, 404, 409)})
    def post(self, request, user_name: str):
        body = parse(s.CreateLoginProfileRequest, request.data)
        user = profile_services.create_login_profile(caller=self.caller(request), user_name=user_name, **body)
        return Response({"login_profile": s.LoginProfileOut(user).data}, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="UpdateLoginProfile", request=s.UpdateLoginProfileRequest,
                   responses={200: s.LoginProfileEnvelope, **errors(400, 401, 403, 404)})
    def patch(self, request, user_name: str):
        body = parse(s.UpdateLoginProfileRequest, request.data)
        user = profile_services.update_login_profile(caller=self.caller(request), user_name=user_name, **body)
        return Response({"login_profile": s.LoginProfileOut(user).data})

    @extend_schema(operation_id="DeleteLoginProfile", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, user_name: str):
        profile_services.delete_login_profile(caller=self.caller(request), user_name=user_name)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(get=extend_schema(operation_id="ListCallerAccessKeys"),
                    post=extend_schema(operation_id="CreateCallerAccessKey"))
class CallerAccessKeyListView(AccessKeyListView):
    """ListAccessKeys / CreateAccessKey without a user name: the caller's own keys, as in AWS."""


@extend_schema_view(get=extend_schema(operation_id="GetCallerAccessKeyLastUsed"),
                    patch=extend_schema(operation_id="UpdateCallerAccessKey"),
                    delete=extend_schema(operation_id="DeleteCallerAccessKey"))
class CallerAccessKeyDetailView(AccessKeyDetailView):
    """GetAccessKeyLastUsed / UpdateAccessKey / DeleteAccessKey on one of the caller's own keys."""
