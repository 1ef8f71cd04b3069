"""REST API for the SCIM bearer tokens an identity provider provisions the identity store with: issue (shown
once), list (with the store's id and the SCIM endpoint), revoke."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from iam_console.rest.base import IAMAPIView, errors
from identitystore.services import scim_tokens


class ScimTokenOut(serializers.Serializer):
    token_id = serializers.CharField()
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    last_used_at = serializers.DateTimeField(allow_null=True)


class ScimTokenList(serializers.Serializer):
    identity_store_id = serializers.CharField(help_text="The IdentityStoreId identitystore clients name.")
    scim_endpoint = serializers.CharField(help_text="The SCIM base URL to give the identity provider.")
    scim_tokens = ScimTokenOut(many=True)


class IssuedScimToken(serializers.Serializer):
    scim_token = ScimTokenOut()
    bearer_token = serializers.CharField(help_text="Shown this once: give it to the identity provider.")


class ScimTokenListView(IAMAPIView):
    @extend_schema(operation_id="DescribeBearerTokens", responses={200: ScimTokenList, **errors(401, 403, 404)})
    def get(self, request):
        found = scim_tokens.list_scim_tokens(caller=self.caller(request))
        return Response({"identity_store_id": found.store.id,
                         "scim_endpoint": request.build_absolute_uri("/scim/v2/"),
                         "scim_tokens": ScimTokenOut(found.tokens, many=True).data})

    @extend_schema(operation_id="CreateBearerToken", request=None,
                   responses={201: IssuedScimToken, **errors(401, 403, 404, 409)})
    def post(self, request):
        issued = scim_tokens.issue_scim_token(caller=self.caller(request))
        return Response({"scim_token": ScimTokenOut(issued.token).data, "bearer_token": issued.bearer},
                        status=status.HTTP_201_CREATED)


class ScimTokenDetailView(IAMAPIView):
    @extend_schema(operation_id="DeleteBearerToken", responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, token_id: str):
        scim_tokens.revoke_scim_token(caller=self.caller(request), bearer_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
