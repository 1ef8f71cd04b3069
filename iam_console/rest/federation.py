"""REST API for federation: OIDC and SAML providers, AssumeRoleWithWebIdentity and AssumeRoleWithSAML."""

from __future__ import annotations

from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from iam_console.callers import caller_from_request
from iam_console.rest import serializers as s
from iam_console.rest.base import IAMAPIView, errors, parse
from iam_console.rest.sts import AssumedRoleUserOut, CredentialsOut
from sts.federation import oidc_providers, saml_providers
from sts.federation.principals import ANONYMOUS
from sts.federation.saml_assume import assume_role_with_saml
from sts.federation.web_identity import assume_role_with_web_identity

# ------------------------------------------------------------------------------------------- serializers


class CreateOIDCProviderRequest(s.StrictSerializer):
    url = s.Text(help_text="https://host[/path] of the issuer, as its tokens' iss claim names it.")
    client_id_list = serializers.ListField(child=s.Text(), required=False, default=list,
                                           help_text="Audiences (client IDs) the provider's tokens may carry.")
    thumbprint_list = serializers.ListField(child=s.Text(), required=False, default=list,
                                            help_text="Optional SHA-1 certificate thumbprints (40 hex digits).")
    tags = s.TagSerializer(many=True, required=False, default=list)


class OIDCProviderOut(serializers.Serializer):
    arn = serializers.CharField()
    url = serializers.CharField()
    client_id_list = serializers.ListField(source="client_ids", child=serializers.CharField())
    thumbprint_list = serializers.ListField(source="thumbprints", child=serializers.CharField())
    create_date = s.Date()


class OIDCProviderArnOut(serializers.Serializer):
    arn = serializers.CharField()


class ClientIDRequest(s.StrictSerializer):
    client_id = s.Text()


class ThumbprintRequest(s.StrictSerializer):
    thumbprint_list = serializers.ListField(child=s.Text(), allow_empty=True)


class CreateSAMLProviderRequest(s.StrictSerializer):
    name = s.Text(help_text=r"1 to 128 characters from [\w._-].")
    saml_metadata_document = s.Text(help_text="The IdP's metadata XML (an md:EntityDescriptor).")
    tags = s.TagSerializer(many=True, required=False, default=list)


class UpdateSAMLProviderRequest(s.StrictSerializer):
    saml_metadata_document = s.Text()


class SAMLProviderOut(serializers.Serializer):
    arn = serializers.CharField()
    name = serializers.CharField()
    entity_id = serializers.CharField()
    valid_until = s.Date()
    create_date = s.Date()


class SAMLProviderDetailOut(SAMLProviderOut):
    saml_metadata_document = serializers.CharField(source="metadata_document")


class AssumeRoleWithWebIdentityRequest(s.StrictSerializer):
    role_arn = s.Text()
    role_session_name = s.Text()
    web_identity_token = s.Text(write_only=True, help_text="The OIDC ID token (a signed JWT).")
    duration_seconds = serializers.IntegerField(required=False)
    policy = s.Text(required=False)
    policy_arns = serializers.ListField(child=s.Text(), required=False, max_length=10)


class AssumeRoleWithSAMLRequest(s.StrictSerializer):
    role_arn = s.Text()
    principal_arn = s.Text(help_text="The SAML provider's ARN.")
    saml_assertion = s.Text(write_only=True, help_text="The base64-encoded samlp:Response.")
    duration_seconds = serializers.IntegerField(required=False)
    policy = s.Text(required=False)
    policy_arns = serializers.ListField(child=s.Text(), required=False, max_length=10)


class FederatedOut(serializers.Serializer):
    credentials = CredentialsOut(source="assumed")
    assumed_role_user = AssumedRoleUserOut(source="assumed")
    packed_policy_size = serializers.IntegerField(source="assumed.packed_policy_size")
    audience = serializers.CharField()
    provider = serializers.CharField()
    source_identity = serializers.CharField(source="assumed.session.source_identity")


class WebIdentityOut(FederatedOut):
    subject_from_web_identity_token = serializers.CharField(source="identity.principal_name")


class SAMLOut(FederatedOut):
    subject = serializers.CharField(source="identity.principal_name")
    subject_type = serializers.CharField(source="extra.subject_type")
    issuer = serializers.CharField(source="extra.issuer")
    name_qualifier = serializers.CharField(source="extra.name_qualifier")


class OIDCProviderListOut(serializers.Serializer):
    open_id_connect_provider_list = OIDCProviderArnOut(many=True)


class SAMLProviderListOut(serializers.Serializer):
    saml_provider_list = SAMLProviderOut(many=True)


def _tags_body(tags) -> dict:
    return {"tags": s.TagOut(tags, many=True).data, "is_truncated": False}


def _tag_keys(request) -> list[str]:
    source = request.query_params if "tag_keys" in request.query_params else request.data
    return list(parse(s.UntagUserRequest, source)["tag_keys"])


# ------------------------------------------------------------------------------------------- OIDC providers


class OIDCProviderListView(IAMAPIView):
    @extend_schema(operation_id="ListOpenIDConnectProviders", responses={200: OIDCProviderListOut,
                                                                         **errors(401, 403)})
    def get(self, request):
        providers = oidc_providers.list_open_id_connect_providers(caller=self.caller(request))
        return Response({"open_id_connect_provider_list": [{"arn": p.arn} for p in providers]})

    @extend_schema(operation_id="CreateOpenIDConnectProvider", request=CreateOIDCProviderRequest,
                   responses={201: OIDCProviderOut, **errors(400, 401, 403, 409)})
    def post(self, request):
        body = parse(CreateOIDCProviderRequest, request.data)
        body["tags"] = [dict(tag) for tag in body["tags"]]
        provider = oidc_providers.create_open_id_connect_provider(caller=self.caller(request), **body)
        return Response(OIDCProviderOut(provider).data, status=status.HTTP_201_CREATED)


class OIDCProviderDetailView(IAMAPIView):
    @extend_schema(operation_id="GetOpenIDConnectProvider", responses={200: OIDCProviderOut, **errors(401, 403, 404)})
    def get(self, request, arn: str):
        provider = oidc_providers.get_open_id_connect_provider(caller=self.caller(request),
                                                               open_id_connect_provider_arn=arn)
        return Response(OIDCProviderOut(provider).data)

    @extend_schema(operation_id="DeleteOpenIDConnectProvider", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, arn: str):
        oidc_providers.delete_open_id_connect_provider(caller=self.caller(request), open_id_connect_provider_arn=arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OIDCProviderClientIDsView(IAMAPIView):
    @extend_schema(operation_id="AddClientIDToOpenIDConnectProvider", request=ClientIDRequest,
                   responses={204: None, **errors(400, 401, 403, 404, 409)})
    def post(self, request, arn: str):
        body = parse(ClientIDRequest, request.data)
        oidc_providers.add_client_id_to_open_id_connect_provider(
            caller=self.caller(request), open_id_connect_provider_arn=arn, client_id=body["client_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(operation_id="RemoveClientIDFromOpenIDConnectProvider", parameters=[ClientIDRequest],
                   request=ClientIDRequest, responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, arn: str):
        source = request.query_params if "client_id" in request.query_params else request.data
        body = parse(ClientIDRequest, source)
        oidc_providers.remove_client_id_from_open_id_connect_provider(
            caller=self.caller(request), open_id_connect_provider_arn=arn, client_id=body["client_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class OIDCProviderThumbprintView(IAMAPIView):
    @extend_schema(operation_id="UpdateOpenIDConnectProviderThumbprint", request=ThumbprintRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def put(self, request, arn: str):
        body = parse(ThumbprintRequest, request.data)
        oidc_providers.update_open_id_connect_provider_thumbprint(
            caller=self.caller(request), open_id_connect_provider_arn=arn, thumbprint_list=body["thumbprint_list"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class OIDCProviderTagsView(IAMAPIView):
    @extend_schema(operation_id="ListOpenIDConnectProviderTags", responses={200: s.TagList, **errors(401, 403, 404)})
    def get(self, request, arn: str):
        return Response(_tags_body(oidc_providers.list_open_id_connect_provider_tags(
            caller=self.caller(request), open_id_connect_provider_arn=arn)))

    @extend_schema(operation_id="TagOpenIDConnectProvider", request=s.TagUserRequest,
                   responses={200: s.TagList, **errors(400, 401, 403, 404, 409)})
    def post(self, request, arn: str):
        body = parse(s.TagUserRequest, request.data)
        return Response(_tags_body(oidc_providers.tag_open_id_connect_provider(
            caller=self.caller(request), open_id_connect_provider_arn=arn, tags=[dict(t) for t in body["tags"]])))

    @extend_schema(operation_id="UntagOpenIDConnectProvider", parameters=[s.UntagUserRequest],
                   request=s.UntagUserRequest, responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, arn: str):
        oidc_providers.untag_open_id_connect_provider(caller=self.caller(request), open_id_connect_provider_arn=arn,
                                                      tag_keys=_tag_keys(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------- SAML providers


class SAMLProviderListView(IAMAPIView):
    @extend_schema(operation_id="ListSAMLProviders", responses={200: SAMLProviderListOut, **errors(401, 403)})
    def get(self, request):
        providers = saml_providers.list_saml_providers(caller=self.caller(request))
        return Response({"saml_provider_list": SAMLProviderOut(providers, many=True).data})

    @extend_schema(operation_id="CreateSAMLProvider", request=CreateSAMLProviderRequest,
                   responses={201: SAMLProviderOut, **errors(400, 401, 403, 409)})
    def post(self, request):
        body = parse(CreateSAMLProviderRequest, request.data)
        body["tags"] = [dict(tag) for tag in body["tags"]]
        provider = saml_providers.create_saml_provider(caller=self.caller(request), **body)
        return Response(SAMLProviderOut(provider).data, status=status.HTTP_201_CREATED)


class SAMLProviderDetailView(IAMAPIView):
    @extend_schema(operation_id="GetSAMLProvider", responses={200: SAMLProviderDetailOut, **errors(401, 403, 404)})
    def get(self, request, arn: str):
        provider = saml_providers.get_saml_provider(caller=self.caller(request), saml_provider_arn=arn)
        return Response(SAMLProviderDetailOut(provider).data)

    @extend_schema(operation_id="UpdateSAMLProvider", request=UpdateSAMLProviderRequest,
                   responses={200: SAMLProviderOut, **errors(400, 401, 403, 404)})
    def put(self, request, arn: str):
        body = parse(UpdateSAMLProviderRequest, request.data)
        provider = saml_providers.update_saml_provider(caller=self.caller(request), saml_provider_arn=arn, **body)
        return Response(SAMLProviderOut(provider).data)

    @extend_schema(operation_id="DeleteSAMLProvider", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, arn: str):
        saml_providers.delete_saml_provider(caller=self.caller(request), saml_provider_arn=arn)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SAMLProviderTagsView(IAMAPIView):
    @extend_schema(operation_id="ListSAMLProviderTags", responses={200: s.TagList, **errors(401, 403, 404)})
    def get(self, request, arn: str):
        return Response(_tags_body(saml_providers.list_saml_provider_tags(caller=self.caller(request),
                                                                          saml_provider_arn=arn)))

    @extend_schema(operation_id="TagSAMLProvider", request=s.TagUserRequest,
                   responses={200: s.TagList, **errors(400, 401, 403, 404, 409)})
    def post(self, request, arn: str):
        body = parse(s.TagUserRequest, request.data)
        return Response(_tags_body(saml_providers.tag_saml_provider(
            caller=self.caller(request), saml_provider_arn=arn, tags=[dict(t) for t in body["tags"]])))

    @extend_schema(operation_id="UntagSAMLProvider", parameters=[s.UntagUserRequest], request=s.UntagUserRequest,
                   responses={204: None, **errors(400, 401, 403, 404)})
    def delete(self, request, arn: str):
        saml_providers.untag_saml_provider(caller=self.caller(request), saml_provider_arn=arn,
                                           tag_keys=_tag_keys(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------------------------- STS (unsigned)


class UnsignedSTSView(IAMAPIView):
    """AWS's federation calls carry no signature: the token or assertion is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def caller(self, request):
        return caller_from_request(request._request, via="api", principal=ANONYMOUS)


class AssumeRoleWithWebIdentityView(UnsignedSTSView):
    @extend_schema(operation_id="AssumeRoleWithWebIdentity", request=AssumeRoleWithWebIdentityRequest, auth=[],
                   responses={200: WebIdentityOut, **errors(400, 403)})
    def post(self, request):
        body = parse(AssumeRoleWithWebIdentityRequest, request.data)
        result = assume_role_with_web_identity(caller=self.caller(request), **body)
        return Response(WebIdentityOut(result).data, headers={"Cache-Control": "no-store"})


class AssumeRoleWithSAMLView(UnsignedSTSView):
    @extend_schema(operation_id="AssumeRoleWithSAML", request=AssumeRoleWithSAMLRequest, auth=[],
                   responses={200: SAMLOut, **errors(400, 403)})
    def post(self, request):
        body = parse(AssumeRoleWithSAMLRequest, request.data)
        result = assume_role_with_saml(caller=self.caller(request), **body)
        return Response(SAMLOut(result).data, headers={"Cache-Control": "no-store"})


_OIDC_ARN = r"(?P<arn>arn:[\w-]+:iam::\d{12}:oidc-provider/[\x21-\x7e]+?)"
_SAML_ARN = r"(?P<arn>arn:[\w-]+:iam::\d{12}:saml-provider/[\w.-]+)"

urlpatterns = [
    path("oidc-providers/", OIDCProviderListView.as_view(), name="api-oidc-providers"),
    re_path(rf"^oidc-providers/{_OIDC_ARN}/client-ids/$", OIDCProviderClientIDsView.as_view(),
            name="api-oidc-provider-client-ids"),
    re_path(rf"^oidc-providers/{_OIDC_ARN}/thumbprints/$", OIDCProviderThumbprintView.as_view(),
            name="api-oidc-provider-thumbprints"),
    re_path(rf"^oidc-providers/{_OIDC_ARN}/tags/$", OIDCProviderTagsView.as_view(), name="api-oidc-provider-tags"),
    # After its sub-resources: a provider URL may itself have a path.
    re_path(rf"^oidc-providers/{_OIDC_ARN}/$", OIDCProviderDetailView.as_view(), name="api-oidc-provider"),
    path("saml-providers/", SAMLProviderListView.as_view(), name="api-saml-providers"),
    re_path(rf"^saml-providers/{_SAML_ARN}/tags/$", SAMLProviderTagsView.as_view(), name="api-saml-provider-tags"),
    re_path(rf"^saml-providers/{_SAML_ARN}/$", SAMLProviderDetailView.as_view(), name="api-saml-provider"),
    path("sts/assume-role-with-web-identity", AssumeRoleWithWebIdentityView.as_view(),
         name="api-sts-assume-role-with-web-identity"),
    path("sts/assume-role-with-saml", AssumeRoleWithSAMLView.as_view(), name="api-sts-assume-role-with-saml"),
]
