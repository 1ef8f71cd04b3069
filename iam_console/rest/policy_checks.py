"""REST API for Access Analyzer's custom policy checks (answering the counterexample whole beside AWS's verdict)
and for the account's policy ceilings."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from iam_console.rest.base import IAMAPIView, errors, parse
from iam_console.rest.serializers import PolicyDocumentField, StrictSerializer, Text
from policies.services import ceilings as ceiling_services
from policies.services import custom_checks

POLICY_TYPE = {"choices": list(custom_checks.CHECK_POLICY_TYPES), "required": False, "default": "IDENTITY_POLICY"}


class NoNewAccessRequest(StrictSerializer):
    new_policy_document = PolicyDocumentField(help_text="The changed policy, as a JSON object or as JSON text.")
    existing_policy_document = PolicyDocumentField(help_text="The policy it replaces (the reference).")
    policy_type = serializers.ChoiceField(**POLICY_TYPE)


class AccessEntry(StrictSerializer):
    actions = serializers.ListField(child=Text(), required=False, max_length=custom_checks.MAX_ACCESS_ITEMS,
                                    help_text="Actions, wildcards allowed (s3:Put*).")
    resources = serializers.ListField(child=Text(max_length=custom_checks.MAX_RESOURCE_LENGTH), required=False,
                                      max_length=custom_checks.MAX_ACCESS_ITEMS,
                                      help_text="Resource ARNs, wildcards allowed.")


@extend_schema_field(AccessEntry)
class AccessField(serializers.JSONField):
    """Passed on as sent: the service checks it (after it has authorized the caller) with AWS's errors."""


class AccessNotGrantedRequest(StrictSerializer):
    policy_document = PolicyDocumentField(help_text="The policy to check, as a JSON object or as JSON text.")
    access = AccessField(help_text="The access the policy must not grant: any of the actions (on any resource), "
                                   "any action on the resources, or with both, the actions on the resources.")
    policy_type = serializers.ChoiceField(**POLICY_TYPE)


class NoPublicAccessRequest(StrictSerializer):
    policy_document = PolicyDocumentField(help_text="The resource policy, as a JSON object or as JSON text.")
    resource_type = serializers.ChoiceField(choices=list(custom_checks.PUBLIC_ACCESS_RESOURCE_TYPES))


class ReasonOut(serializers.Serializer):
    description = serializers.CharField()
    statement_index = serializers.IntegerField(required=False)
    statement_id = serializers.CharField(required=False)


class CounterexampleOut(serializers.Serializer):
    action = serializers.CharField()
    resource = serializers.CharField()
    context = serializers.DictField(help_text="The condition keys the request carries.")
    principal = serializers.CharField(required=False, help_text="For a resource policy: the calling principal.")


class PolicyCheckResponse(serializers.Serializer):
    result = serializers.ChoiceField(choices=["PASS", "FAIL"])
    message = serializers.CharField()
    reasons = ReasonOut(many=True)
    counterexample = CounterexampleOut(allow_null=True, help_text="Where FAIL: a request the policy allows that "
                                                                  "makes the check fail, confirmed by evaluation.")


def check_body(outcome: custom_checks.CheckOutcome) -> dict:
    reasons = [{"description": r["description"],
                **({"statement_index": r["statementIndex"]} if "statementIndex" in r else {}),
                **({"statement_id": r["statementId"]} if "statementId" in r else {})} for r in outcome.reasons]
    return {"result": outcome.result, "message": outcome.message, "reasons": reasons,
            "counterexample": outcome.counterexample}


class NoNewAccessView(IAMAPIView):
    @extend_schema(operation_id="CheckNoNewAccess", request=NoNewAccessRequest,
                   responses={200: PolicyCheckResponse, **errors(400, 401, 403)},
                   description="Access Analyzer's CheckNoNewAccess: does the new policy allow a request the existing "
                               "one does not? Where FAIL, one such request.")
    def post(self, request):
        body = parse(NoNewAccessRequest, request.data)
        return Response(check_body(custom_checks.check_no_new_access(caller=self.caller(request), **body)))


class AccessNotGrantedView(IAMAPIView):
    @extend_schema(operation_id="CheckAccessNotGranted", request=AccessNotGrantedRequest,
                   responses={200: PolicyCheckResponse, **errors(400, 401, 403)},
                   description="Access Analyzer's CheckAccessNotGranted: does the policy grant any of the listed "
                               "access? Where FAIL, a request it allows.")
    def post(self, request):
        body = parse(AccessNotGrantedRequest, request.data)
        body["access"] = [body["access"]]
        return Response(check_body(custom_checks.check_access_not_granted(caller=self.caller(request), **body)))


class NoPublicAccessView(IAMAPIView):
    @extend_schema(operation_id="CheckNoPublicAccess", request=NoPublicAccessRequest,
                   responses={200: PolicyCheckResponse, **errors(400, 401, 403)},
                   description="Access Analyzer's CheckNoPublicAccess: can the resource policy grant anyone access? "
                               "Where FAIL, the outsider's request it allows.")
    def post(self, request):
        body = parse(NoPublicAccessRequest, request.data)
        return Response(check_body(custom_checks.check_no_public_access(caller=self.caller(request), **body)))


class PolicyCeilingRequest(StrictSerializer):
    path_prefix = Text(help_text="Policies written under this path (managed policies by their path, inline policies "
                                 "by their user's, group's or role's) are held to the ceiling, e.g. /teams/.")
    policy_arn = Text(help_text="The managed policy whose default version is the ceiling.")


class PolicyCeilingQuery(StrictSerializer):
    path_prefix = Text(help_text="The path prefix whose ceiling is removed.")


class PolicyCeilingOut(serializers.Serializer):
    path_prefix = serializers.CharField()
    policy_arn = serializers.CharField(source="policy.arn")
    create_date = serializers.DateTimeField()


class PolicyCeilingList(serializers.Serializer):
    policy_ceilings = PolicyCeilingOut(many=True)


class PolicyCeilingsView(IAMAPIView):
    @extend_schema(operation_id="ListPolicyCeilings", responses={200: PolicyCeilingList, **errors(401, 403)},
                   description="The account's policy ceilings: per path prefix, the managed policy that every policy "
                               "written under it must stay within.")
    def get(self, request):
        ceilings = ceiling_services.list_policy_ceilings(caller=self.caller(request))
        return Response({"policy_ceilings": PolicyCeilingOut(ceilings, many=True).data})

    @extend_schema(operation_id="PutPolicyCeiling", request=PolicyCeilingRequest,
                   responses={200: PolicyCeilingOut, **errors(400, 401, 403, 404)},
                   description="Set or replace the ceiling for a path prefix. Policies written before are not "
                               "re-checked; every later write under the prefix is.")
    def post(self, request):
        body = parse(PolicyCeilingRequest, request.data)
        ceiling = ceiling_services.put_policy_ceiling(caller=self.caller(request), **body)
        return Response(PolicyCeilingOut(ceiling).data)

    @extend_schema(operation_id="DeletePolicyCeiling", parameters=[PolicyCeilingQuery],
                   responses={204: None, **errors(401, 403, 404)},
                   description="Remove the ceiling of a path prefix.")
    def delete(self, request):
        query = parse(PolicyCeilingQuery, request.query_params)
        ceiling_services.delete_policy_ceiling(caller=self.caller(request), **query)
        return Response(status=status.HTTP_204_NO_CONTENT)
