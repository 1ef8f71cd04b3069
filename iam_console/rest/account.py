"""REST API for the account and the caller: the account itself, the password policy, me/, ChangePassword."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from directory.services import accounts as account_services
from directory.services import login_profiles as profile_services
from directory.services import password_policy as policy_services
from directory.services import users as user_services
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, parse
from iam_console.rest.users import user_body


class AccountView(IAMAPIView):
    @extend_schema(operation_id="GetAccountInformation", responses={200: s.AccountEnvelope, **errors(401, 403)})
    def get(self, request):
        account = account_services.get_account_information(caller=self.caller(request))
        return Response({"account": s.AccountOut(account).data})


class PasswordPolicyView(IAMAPIView):
    @extend_schema(operation_id="GetAccountPasswordPolicy",
                   responses={200: s.PasswordPolicyEnvelope, **errors(401, 403, 404)})
    def get(self, request):
        policy = policy_services.get_account_password_policy(caller=self.caller(request))
        return Response({"password_policy": s.PasswordPolicyOut(policy).data})

    @extend_schema(operation_id="UpdateAccountPasswordPolicy", request=s.UpdatePasswordPolicyRequest,
                   responses={200: s.PasswordPolicyEnvelope, **errors(400, 401, 403)})
    def put(self, request):
        body = parse(s.UpdatePasswordPolicyRequest, request.data)
        policy = policy_services.update_account_password_policy(caller=self.caller(request), **body)
        return Response({"password_policy": s.PasswordPolicyOut(policy).data})

    @extend_schema(operation_id="DeleteAccountPasswordPolicy", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request):
        policy_services.delete_account_password_policy(caller=self.caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(IAMAPIView):
    @extend_schema(operation_id="GetCallerUser", responses={200: s.MeEnvelope, **errors(401, 403)})
    def get(self, request):
        user = user_services.get_user(caller=self.caller(request))
        body = user_body(user)
        body["user"]["is_root"] = user.is_root
        return Response(body)


class ChangePasswordView(IAMAPIView):
    @extend_schema(operation_id="ChangePassword", request=s.ChangePasswordRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def post(self, request):
        body = parse(s.ChangePasswordRequest, request.data)
        profile_services.change_password(caller=self.caller(request), **body)
        return Response(status=status.HTTP_204_NO_CONTENT)
