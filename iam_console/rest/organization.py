"""REST API for the organization: the organization, its root and policy types, OUs, member accounts, SCPs and RCPs
and their attachments (the same services as the Organizations API)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from iam_console.rest.base import IAMAPIView, errors, parse
from iam_console.rest.serializers import StrictSerializer, Text
from organizations import identifiers
from organizations.services import members, organization, policies, units

GUARDRAIL_TYPES = ["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"]


# --- serializers ---------------------------------------------------------------------------------------------
class OrgPageQuery(StrictSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=20, help_text="Items per page, 1 to 20.")
    marker = Text(required=False, help_text="The marker of the previous page, unchanged.")


class ParentPageQuery(OrgPageQuery):
    parent_id = Text(required=False, help_text="The root (r-…, the default) or OU (ou-…) whose OUs are listed.")


class AccountsQuery(OrgPageQuery):
    parent_id = Text(required=False, help_text="Only the accounts directly under this root or OU.")


class PoliciesQuery(OrgPageQuery):
    type = serializers.ChoiceField(choices=GUARDRAIL_TYPES, required=False, default="SERVICE_CONTROL_POLICY",
                                   help_text="The policy type to list (SCPs by default).")
    target_id = Text(required=False, help_text="Only the policies attached to this root, OU or account.")


class CreateUnitRequest(StrictSerializer):
    parent_id = Text(help_text="The root or OU the new OU goes under.")
    name = Text(max_length=128)


class RenameUnitRequest(StrictSerializer):
    name = Text(max_length=128)


class CreateMemberRequest(StrictSerializer):
    email = Text(max_length=64)
    account_name = Text(max_length=50)
    role_name = Text(required=False, max_length=64)


class MoveMemberRequest(StrictSerializer):
    source_parent_id = Text()
    destination_parent_id = Text()


class CreateGuardrailRequest(StrictSerializer):
    name = Text(max_length=128)
    description = Text(required=False, max_length=512, allow_blank=True, default="")
    type = serializers.ChoiceField(choices=GUARDRAIL_TYPES)
    content = Text(max_length=1_000_000)


class UpdateGuardrailRequest(StrictSerializer):
    name = Text(required=False, max_length=128)
    description = Text(required=False, max_length=512, allow_blank=True)
    content = Text(required=False, max_length=1_000_000)


class AttachRequest(StrictSerializer):
    target_id = Text(help_text="The root, OU or account to attach the policy to.")


class OrganizationOut(serializers.Serializer):
    id = serializers.CharField()
    arn = serializers.CharField()
    management_account_id = serializers.CharField()
    management_account_email = serializers.CharField()
    root_id = serializers.CharField()
    enabled_policy_types = serializers.ListField(child=serializers.CharField())


class OrganizationEnvelope(serializers.Serializer):
    organization = OrganizationOut()


class UnitOut(serializers.Serializer):
    id = serializers.CharField()
    arn = serializers.CharField()
    name = serializers.CharField()
    parent_id = serializers.CharField()


class UnitEnvelope(serializers.Serializer):
    organizational_unit = UnitOut()


class UnitPage(serializers.Serializer):
    organizational_units = UnitOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class MemberOut(serializers.Serializer):
    id = serializers.CharField()
    arn = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    parent_id = serializers.CharField()
    joined_method = serializers.CharField()
    joined_timestamp = serializers.DateTimeField()


class MemberEnvelope(serializers.Serializer):
    account = MemberOut()


class MemberPage(serializers.Serializer):
    accounts = MemberOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class CreateStatusOut(serializers.Serializer):
    id = serializers.CharField()
    account_name = serializers.CharField()
    state = serializers.CharField()
    account_id = serializers.CharField(allow_blank=True)
    failure_reason = serializers.CharField(allow_blank=True)


class CreateStatusEnvelope(serializers.Serializer):
    create_account_status = CreateStatusOut()


class GuardrailOut(serializers.Serializer):
    id = serializers.CharField()
    arn = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    type = serializers.CharField()
    aws_managed = serializers.BooleanField()
    content = serializers.CharField()


class GuardrailEnvelope(serializers.Serializer):
    policy = GuardrailOut()


class GuardrailPage(serializers.Serializer):
    policies = GuardrailOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class TargetOut(serializers.Serializer):
    target_id = serializers.CharField()
    arn = serializers.CharField()
    type = serializers.CharField()


class TargetPage(serializers.Serializer):
    targets = TargetOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


# --- shaping -------------------------------------------------------------------------------------------------
def _organization(org) -> dict:
    return {"id": org.id, "arn": identifiers.organization_arn(org), "root_id": org.root_id,
            "management_account_id": org.management_account_id,
            "management_account_email": org.management_account.email,
            "enabled_policy_types": list(org.enabled_policy_types)}


def _unit(org, unit) -> dict:
    return {"id": unit.id, "arn": identifiers.unit_arn(org, unit.id), "name": unit.name,
            "parent_id": unit.parent_id or org.root_id}


def _member(org, account) -> dict:
    return {"id": account.pk, "arn": identifiers.account_arn(org, account.pk), "name": account.name,
            "email": account.email, "status": account.status, "parent_id": account.parent_unit_id or org.root_id,
            "joined_method": account.joined_method, "joined_timestamp": account.joined_timestamp}


def _policy(org, policy) -> dict:
    return {"id": policy.id, "arn": identifiers.policy_arn(org, policy), "name": policy.name,
            "description": policy.description, "type": policy.policy_type, "aws_managed": policy.aws_managed,
            "content": policy.content}


def _page(items: list, name: str, token: str | None) -> dict:
    return {name: items, "is_truncated": token is not None, "marker": token}


def _paging(query: dict) -> dict:
    return {"next_token": query.get("marker") or None, "max_results": query.get("limit")}


# --- views ---------------------------------------------------------------------------------------------------
class OrganizationView(IAMAPIView):
    @extend_schema(operation_id="DescribeOrganization", responses={200: OrganizationEnvelope, **errors(401, 403)})
    def get(self, request):
        return Response({"organization": _organization(organization.describe_organization(
            caller=self.caller(request)))})

    @extend_schema(operation_id="CreateOrganization", request=None,
                   responses={201: OrganizationEnvelope, **errors(401, 403)})
    def post(self, request):
        made = organization.create_organization(caller=self.caller(request))
        return Response({"organization": _organization(made)}, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="DeleteOrganization", responses={204: None, **errors(401, 403)})
    def delete(self, request):
        organization.delete_organization(caller=self.caller(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PolicyTypeView(IAMAPIView):
    @extend_schema(operation_id="EnablePolicyType", request=None,
                   responses={200: OrganizationEnvelope, **errors(401, 403)})
    def put(self, request, root_id: str, policy_type: str):
        org = organization.enable_policy_type(caller=self.caller(request), root_id=root_id, policy_type=policy_type)
        return Response({"organization": _organization(org)})

    @extend_schema(operation_id="DisablePolicyType", responses={200: OrganizationEnvelope, **errors(401, 403)})
    def delete(self, request, root_id: str, policy_type: str):
        org = organization.disable_policy_type(caller=self.caller(request), root_id=root_id, policy_type=policy_type)
        return Response({"organization": _organization(org)})


class UnitListView(IAMAPIView):
    @extend_schema(operation_id="ListOrganizationalUnitsForParent", parameters=[ParentPageQuery],
                   responses={200: UnitPage, **errors(401, 403)})
    def get(self, request):
        query = parse(ParentPageQuery, request.query_params)
        org, found, token = units.list_organizational_units_for_parent(
            caller=self.caller(request), parent_id=query.get("parent_id"), **_paging(query))
        return Response(_page([_unit(org, unit) for unit in found], "organizational_units", token))

    @extend_schema(operation_id="CreateOrganizationalUnit", request=CreateUnitRequest,
                   responses={201: UnitEnvelope, **errors(401, 403)})
    def post(self, request):
        body = parse(CreateUnitRequest, request.data)
        made = units.create_organizational_unit(caller=self.caller(request), parent_id=body["parent_id"],
                                                name=body["name"])
        return Response({"organizational_unit": _unit(made.organization, made.unit)}, status=status.HTTP_201_CREATED)


class UnitDetailView(IAMAPIView):
    @extend_schema(operation_id="DescribeOrganizationalUnit", responses={200: UnitEnvelope, **errors(401, 403)})
    def get(self, request, unit_id: str):
        found = units.describe_organizational_unit(caller=self.caller(request), organizational_unit_id=unit_id)
        return Response({"organizational_unit": _unit(found.organization, found.unit)})

    @extend_schema(operation_id="UpdateOrganizationalUnit", request=RenameUnitRequest,
                   responses={200: UnitEnvelope, **errors(401, 403)})
    def patch(self, request, unit_id: str):
        body = parse(RenameUnitRequest, request.data)
        found = units.update_organizational_unit(caller=self.caller(request), organizational_unit_id=unit_id,
                                                 name=body["name"])
        return Response({"organizational_unit": _unit(found.organization, found.unit)})

    @extend_schema(operation_id="DeleteOrganizationalUnit", responses={204: None, **errors(401, 403)})
    def delete(self, request, unit_id: str):
        units.delete_organizational_unit(caller=self.caller(request), organizational_unit_id=unit_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListView(IAMAPIView):
    @extend_schema(operation_id="ListOrganizationAccounts", parameters=[AccountsQuery],
                   responses={200: MemberPage, **errors(401, 403)})
    def get(self, request):
        query = parse(AccountsQuery, request.query_params)
        if query.get("parent_id"):
            org, found, token = members.list_accounts_for_parent(caller=self.caller(request),
                                                                 parent_id=query["parent_id"], **_paging(query))
        else:
            org, found, token = members.list_accounts(caller=self.caller(request), **_paging(query))
        return Response(_page([_member(org, account) for account in found], "accounts", token))

    @extend_schema(operation_id="CreateOrganizationAccount", request=CreateMemberRequest,
                   responses={201: CreateStatusEnvelope, **errors(401, 403)})
    def post(self, request):
        body = parse(CreateMemberRequest, request.data)
        made = members.create_account(caller=self.caller(request), email=body["email"],
                                      account_name=body["account_name"], role_name=body.get("role_name"))
        request_row = made.request
        return Response({"create_account_status": {
            "id": request_row.id, "account_name": request_row.account_name, "state": request_row.state,
            "account_id": request_row.account_id, "failure_reason": request_row.failure_reason}},
            status=status.HTTP_201_CREATED)


class MemberDetailView(IAMAPIView):
    @extend_schema(operation_id="DescribeOrganizationAccount", responses={200: MemberEnvelope, **errors(401, 403)})
    def get(self, request, account_id: str):
        found = members.describe_account(caller=self.caller(request), account_id=account_id)
        return Response({"account": _member(found.organization, found.account)})

    @extend_schema(operation_id="RemoveAccountFromOrganization", responses={204: None, **errors(401, 403)})
    def delete(self, request, account_id: str):
        members.remove_account_from_organization(caller=self.caller(request), account_id=account_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberMoveView(IAMAPIView):
    @extend_schema(operation_id="MoveAccount", request=MoveMemberRequest,
                   responses={200: MemberEnvelope, **errors(401, 403)})
    def post(self, request, account_id: str):
        body = parse(MoveMemberRequest, request.data)
        moved = members.move_account(caller=self.caller(request), account_id=account_id, **body)
        return Response({"account": _member(moved.organization, moved.account)})


class MemberCloseView(IAMAPIView):
    @extend_schema(operation_id="CloseAccount", request=None, responses={200: MemberEnvelope, **errors(401, 403)})
    def post(self, request, account_id: str):
        closed = members.close_account(caller=self.caller(request), account_id=account_id)
        return Response({"account": _member(closed.organization, closed.account)})


class GuardrailListView(IAMAPIView):
    @extend_schema(operation_id="ListOrganizationPolicies", parameters=[PoliciesQuery],
                   responses={200: GuardrailPage, **errors(401, 403)})
    def get(self, request):
        query = parse(PoliciesQuery, request.query_params)
        if query.get("target_id"):
            org, found, token = policies.list_policies_for_target(
                caller=self.caller(request), target_id=query["target_id"], filter=query["type"], **_paging(query))
        else:
            org, found, token = policies.list_policies(caller=self.caller(request), filter=query["type"],
                                                       **_paging(query))
        return Response(_page([_policy(org, policy) for policy in found], "policies", token))

    @extend_schema(operation_id="CreateOrganizationPolicy", request=CreateGuardrailRequest,
                   responses={201: GuardrailEnvelope, **errors(401, 403)})
    def post(self, request):
        body = parse(CreateGuardrailRequest, request.data)
        made = policies.create_policy(caller=self.caller(request), content=body["content"], name=body["name"],
                                      description=body["description"], policy_type=body["type"])
        return Response({"policy": _policy(made.organization, made.policy)}, status=status.HTTP_201_CREATED)


class GuardrailDetailView(IAMAPIView):
    @extend_schema(operation_id="DescribeOrganizationPolicy", responses={200: GuardrailEnvelope, **errors(401, 403)})
    def get(self, request, policy_id: str):
        found = policies.describe_policy(caller=self.caller(request), policy_id=policy_id)
        return Response({"policy": _policy(found.organization, found.policy)})

    @extend_schema(operation_id="UpdateOrganizationPolicy", request=UpdateGuardrailRequest,
                   responses={200: GuardrailEnvelope, **errors(401, 403)})
    def patch(self, request, policy_id: str):
        body = parse(UpdateGuardrailRequest, request.data)
        found = policies.update_policy(caller=self.caller(request), policy_id=policy_id, **body)
        return Response({"policy": _policy(found.organization, found.policy)})

    @extend_schema(operation_id="DeleteOrganizationPolicy", responses={204: None, **errors(401, 403)})
    def delete(self, request, policy_id: str):
        policies.delete_policy(caller=self.caller(request), policy_id=policy_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuardrailTargetsView(IAMAPIView):
    @extend_schema(operation_id="ListTargetsForPolicy", parameters=[OrgPageQuery],
                   responses={200: TargetPage, **errors(401, 403)})
    def get(self, request, policy_id: str):
        query = parse(OrgPageQuery, request.query_params)
        org, found, token = policies.list_targets_for_policy(caller=self.caller(request), policy_id=policy_id,
                                                             **_paging(query))
        return Response(_page([{"target_id": item.target_id, "arn": identifiers.target_arn(org, item.target_id),
                                "type": identifiers.target_type(item.target_id)} for item in found], "targets", token))

    @extend_schema(operation_id="AttachOrganizationPolicy", request=AttachRequest,
                   responses={204: None, **errors(401, 403)})
    def post(self, request, policy_id: str):
        body = parse(AttachRequest, request.data)
        policies.attach_policy(caller=self.caller(request), policy_id=policy_id, target_id=body["target_id"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class GuardrailTargetView(IAMAPIView):
    @extend_schema(operation_id="DetachOrganizationPolicy", responses={204: None, **errors(401, 403)})
    def delete(self, request, policy_id: str, target_id: str):
        policies.detach_policy(caller=self.caller(request), policy_id=policy_id, target_id=target_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
