"""REST API for STS: AssumeRole and GetCallerIdentity (snake_case JSON, AWS's shapes)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, parse
from sts import services


class AssumeRoleRequest(s.StrictSerializer):
    role_arn = s.Text(help_text="arn:aws:iam::<account>:role/<path><name>")
    role_session_name = s.Text(help_text=r"2 to 64 characters from [\w+=,.@-]: appears in the session's ARN.")
    duration_seconds = serializers.IntegerField(required=False, help_text="900 up to the role's "
                                                "MaxSessionDuration (default 3,600; at most 3,600 when chaining).")
    policy = s.PolicyDocumentField(required=False, help_text="A session policy, as a JSON object or JSON text: the "
                                   "session gets at most what it allows.")
    policy_arns = serializers.ListField(child=s.Text(), required=False, max_length=10,
                                        help_text="Up to 10 managed policy ARNs used as session policies.")
    external_id = s.Text(required=False, help_text="Tested by the trust policy's sts:ExternalId condition.")
    serial_number = s.Text(required=False, help_text="The caller's MFA device serial number (ARN).")
    token_code = s.Text(required=False, write_only=True, help_text="The device's current six-digit code.")
    source_identity = s.Text(required=False)
    tags = s.TagSerializer(many=True, required=False, default=list, help_text="Session tags (up to 50).")


class CredentialsOut(serializers.Serializer):
    access_key_id = serializers.CharField(help_text="Starts with ASIA.")
    secret_access_key = serializers.CharField(help_text="Shown once, now: it cannot be retrieved later.")
    session_token = serializers.CharField(help_text="Send it as X-Amz-Security-Token with every signed request.")
    expiration = s.Date()


class AssumedRoleUserOut(serializers.Serializer):
    assumed_role_id = serializers.CharField()
    arn = serializers.CharField()


class AssumeRoleOut(serializers.Serializer):
    credentials = CredentialsOut(source="*")
    assumed_role_user = AssumedRoleUserOut(source="*")
    packed_policy_size = serializers.IntegerField(help_text="Session policies and tags, as a percentage of the "
                                                  "allowed size.")
    source_identity = serializers.CharField(source="session.source_identity", required=False)


class CallerIdentityOut(serializers.Serializer):
    user_id = serializers.CharField()
    account = serializers.CharField()
    arn = serializers.CharField()


class AssumeRoleView(IAMAPIView):
    @extend_schema(operation_id="AssumeRole", request=AssumeRoleRequest,
                   responses={200: AssumeRoleOut, **errors(400, 401, 403)})
    def post(self, request):
        body = parse(AssumeRoleRequest, request.data)
        body["tags"] = [dict(tag) for tag in body["tags"]]
        assumed = services.assume_role(caller=self.caller(request), **body)
        data = AssumeRoleOut(assumed).data
        if not data.get("source_identity"):
            data.pop("source_identity", None)
        return Response(data, headers={"Cache-Control": "no-store"})


class CallerIdentityView(IAMAPIView):
    @extend_schema(operation_id="GetCallerIdentity", responses={200: CallerIdentityOut, **errors(401)})
    def get(self, request):
        identity = services.get_caller_identity(caller=self.caller(request))
        return Response(CallerIdentityOut(identity).data)
