"""REST API serializers for policies: AWS's parameter and field names in snake_case."""

from __future__ import annotations

from rest_framework import serializers

from iam_console.rest.serializers import Date, PolicyDocumentField, StrictSerializer, TagSerializer, Text

CONTEXT_KEY_TYPES = ["string", "stringList", "numeric", "numericList", "boolean", "booleanList", "ip", "ipList",
                     "binary", "binaryList", "date", "dateList"]


class CreatePolicyRequest(StrictSerializer):
    policy_name = Text(help_text="1 to 128 characters from letters, digits and +=,.@_-")
    policy_document = PolicyDocumentField(help_text="The policy, as a JSON object or as JSON text (at most 6,144 "
                                                    "characters without whitespace).")
    path = Text(required=False, default="/")
    description = Text(required=False, default="", allow_blank=True)
    tags = TagSerializer(many=True, required=False, help_text="Up to 50 tags, as on TagPolicy.")


class ListPoliciesQuery(StrictSerializer):
    scope = serializers.ChoiceField(choices=["All", "AWS", "Local"], required=False, default="All")
    only_attached = serializers.BooleanField(required=False, default=False)
    path_prefix = Text(required=False, default="/")
    limit = serializers.IntegerField(required=False)
    max_items = serializers.IntegerField(required=False)
    marker = Text(required=False)


class CreatePolicyVersionRequest(StrictSerializer):
    policy_document = PolicyDocumentField(help_text="The policy, as a JSON object or as JSON text.")
    set_as_default = serializers.BooleanField(required=False, default=False)


class SetDefaultVersionRequest(StrictSerializer):
    version_id = Text()


class PolicyArnRequest(StrictSerializer):
    policy_arn = Text()


class PermissionsBoundaryRequest(StrictSerializer):
    permissions_boundary = Text(help_text="The ARN of the managed policy that caps the user's permissions.")


class InlinePolicyRequest(StrictSerializer):
    policy_document = PolicyDocumentField(help_text="The policy, as a JSON object or as JSON text.")


class ValidatePolicyRequest(StrictSerializer):
    policy_document = PolicyDocumentField(help_text="The policy, as a JSON object or as JSON text.")
    policy_type = serializers.ChoiceField(choices=["IDENTITY_POLICY", "RESOURCE_POLICY", "TRUST_POLICY",
                                                   "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"],
                                          required=False, default="IDENTITY_POLICY")


class ContextEntry(StrictSerializer):
    context_key_name = Text(help_text="A condition key, e.g. aws:SourceIp (case-insensitive).")
    context_key_values = serializers.ListField(
        child=Text(allow_blank=True), default=list,
        help_text="The values, as strings. A single-valued type takes one; give several with the List type.")
    context_key_type = serializers.ChoiceField(
        choices=CONTEXT_KEY_TYPES, required=False, default="string",
        help_text="AWS's ContextKeyType. Dates are ISO 8601 or epoch seconds.")


class SimulatePrincipalPolicyRequest(StrictSerializer):
    action_names = serializers.ListField(child=Text(), min_length=1)
    resource_arns = serializers.ListField(child=Text(), required=False, default=list)
    context_entries = ContextEntry(many=True, required=False, default=list)
    session_policy = PolicyDocumentField(required=False, allow_null=True, default=None,
                                         help_text="A session policy, as a JSON object or as JSON text.")


class SimulateCustomPolicyRequest(SimulatePrincipalPolicyRequest):
    policy_input_list = serializers.ListField(
        child=PolicyDocumentField(), required=False, default=list,
        help_text="Identity-based policies, each a JSON object or JSON text. May be empty: the simulation then "
                  "shows what the context alone decides.")
    permissions_boundary_policy_input_list = serializers.ListField(child=PolicyDocumentField(), required=False,
                                                                   default=list)
    caller_arn = Text(required=False, allow_null=True, default=None)


# --- Responses -------------------------------------------------------------------------------------

class PolicyOut(serializers.Serializer):
    policy_name = serializers.CharField()
    policy_id = serializers.CharField()
    arn = serializers.CharField()
    path = serializers.CharField()
    description = serializers.CharField()
    default_version_id = serializers.CharField()
    is_attachable = serializers.SerializerMethodField()
    attachment_count = serializers.IntegerField(required=False)
    create_date = Date()
    update_date = Date()

    def get_is_attachable(self, policy) -> bool:
        return True


class PolicyEnvelope(serializers.Serializer):
    policy = PolicyOut()


class PolicyPage(serializers.Serializer):
    policies = PolicyOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class PolicyVersionOut(serializers.Serializer):
    version_id = serializers.CharField()
    policy_document = serializers.CharField(source="document", help_text="The policy's JSON text.")
    is_default_version = serializers.BooleanField()
    create_date = Date()


class PolicyVersionEnvelope(serializers.Serializer):
    policy_version = PolicyVersionOut()


class PolicyVersionList(serializers.Serializer):
    versions = PolicyVersionOut(many=True)
    is_truncated = serializers.BooleanField()


class AttachedPolicyOut(serializers.Serializer):
    policy_name = serializers.CharField()
    policy_arn = serializers.CharField(source="arn")


class AttachedPolicyList(serializers.Serializer):
    attached_policies = AttachedPolicyOut(many=True)
    is_truncated = serializers.BooleanField()


class InlinePolicyOut(serializers.Serializer):
    policy_name = serializers.CharField()
    policy_document = serializers.CharField(source="document")


class InlinePolicyNames(serializers.Serializer):
    policy_names = serializers.ListField(child=serializers.CharField())
    is_truncated = serializers.BooleanField()


class EntityNameOut(serializers.Serializer):
    name = serializers.CharField()
    id = serializers.CharField()


class PolicyEntities(serializers.Serializer):
    policy_users = serializers.ListField(child=serializers.DictField())
    policy_groups = serializers.ListField(child=serializers.DictField())
    policy_roles = serializers.ListField(child=serializers.DictField())
    permissions_boundary_users = serializers.ListField(child=serializers.DictField())
    permissions_boundary_roles = serializers.ListField(child=serializers.DictField())


class FindingOut(serializers.Serializer):
    """One finding, in the one shape used by validation, refused writes and the console editor."""

    severity = serializers.ChoiceField(choices=["ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION"])
    issue_code = serializers.CharField()
    message = serializers.CharField()
    line = serializers.IntegerField()
    column = serializers.IntegerField()
    path = serializers.CharField(help_text="Where, in Access Analyzer's notation: Statement[0].Action[1].")
    blocking = serializers.BooleanField(
        help_text="True when IAM refuses the document for it (MalformedPolicyDocument, or LimitExceeded for "
                  "size); false for advice, which never blocks a write.")


class ValidatePolicyResponse(serializers.Serializer):
    valid = serializers.BooleanField(help_text="IAM's verdict: true when IAM would store the document.")
    findings = FindingOut(many=True)


class MatchedStatementOut(serializers.Serializer):
    policy = serializers.CharField()
    policy_kind = serializers.CharField()
    source_policy_type = serializers.ChoiceField(
        choices=["user", "group", "role", "aws-managed", "user-managed", "none"],
        help_text="AWS's SourcePolicyType: an inline policy of a user, group or role, or a managed policy.")
    group_name = serializers.CharField(required=False, help_text="For a group's inline policy: the group.")
    sid = serializers.CharField(allow_null=True)
    statement_index = serializers.IntegerField()
    line = serializers.IntegerField(allow_null=True)
    effect = serializers.CharField()


class OrganizationsDecisionOut(serializers.Serializer):
    allowed = serializers.BooleanField()
    policy_type = serializers.CharField(allow_null=True)
    level = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class SimulationResultOut(serializers.Serializer):
    action = serializers.CharField()
    resource = serializers.CharField()
    decision = serializers.ChoiceField(choices=["allowed", "explicitDeny", "implicitDeny"])
    matched_statements = MatchedStatementOut(many=True)
    organizations = OrganizationsDecisionOut(allow_null=True, required=False,
                                             help_text="For a principal of a member account: whether its "
                                                       "organization's SCPs allow, and where they refused")


class SimulationResponse(serializers.Serializer):
    results = SimulationResultOut(many=True)
