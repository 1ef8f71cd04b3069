"""REST API serializers: strict request bodies and AWS-named responses in snake_case."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from iam_console.errors import ValidationError

AWS_DATE_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def aws_date(value) -> str | None:
    return value.strftime(AWS_DATE_FORMAT) if value is not None else None


def Date(**kwargs) -> serializers.DateTimeField:  # noqa: N802 - reads like a field class
    """An ISO 8601 UTC timestamp as AWS prints it: 2024-05-01T12:00:00Z."""
    return serializers.DateTimeField(format=AWS_DATE_FORMAT, read_only=True, **kwargs)


class StrictCharField(serializers.CharField):
    """Text only: a number or boolean where a name belongs is refused, not turned into the name "0".

    A NUL character is left to the operation frame, which refuses it and records the refused operation.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def Text(**kwargs) -> serializers.CharField:  # noqa: N802
    # Names are validated by the services with IAM's own messages; whitespace is significant there.
    return StrictCharField(trim_whitespace=False, **kwargs)


@extend_schema_field({"oneOf": [{"type": "string", "description": "The policy as JSON text."},
                                {"type": "object", "additionalProperties": True,
                                 "description": "The policy as a JSON object."}]})
class PolicyDocumentField(serializers.Field):
    """A policy document, given as JSON text or as the JSON object itself.

    The services take either (policies.documents.policy_text), so the value is passed on
    as sent; the check that it is a policy is IAM's, with IAM's findings.
    """

    default_error_messages = {"invalid": "Give the policy as a JSON object or as a string of JSON text."}

    def to_internal_value(self, data):
        if isinstance(data, dict | str):
            return data
        self.fail("invalid")

    def to_representation(self, value):
        return value


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a misspelt parameter is an error instead of being ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                # The request does not fit the operation's input: the same code as any other schema error.
                raise ValidationError(f"Unknown parameter '{unknown[0]}': this operation accepts "
                                      f"{', '.join(sorted(self.fields)) or 'no parameters'}.")
        return super().to_internal_value(data)


# --- Requests ---------------------------------------------------------------------------------------

class PageQuery(StrictSerializer):
    limit = serializers.IntegerField(required=False, help_text="Items per page, 1 to 1000 (default 100).")
    max_items = serializers.IntegerField(required=False, help_text="Same as limit (AWS's MaxItems).")
    marker = Text(required=False, help_text="The marker of the previous page, unchanged.")

    def validate(self, attrs):
        if "limit" in attrs and "max_items" in attrs and attrs["limit"] != attrs["max_items"]:
            raise serializers.ValidationError({"limit": "give limit or max_items, not two different values"})
        return attrs

    @staticmethod
    def page_arguments(data: Mapping) -> dict:
        return {"marker": data.get("marker") or None, "max_items": data.get("limit", data.get("max_items"))}


class PathPageQuery(PageQuery):
    path_prefix = Text(required=False, help_text="Only entities whose path begins with this, e.g. /engineering/.")


class TagSerializer(StrictSerializer):
    key = Text(help_text="1 to 128 characters; keys are case-insensitive.")
    value = Text(allow_blank=True, required=False, default="", help_text="0 to 256 characters.")


class CreateUserRequest(StrictSerializer):
    user_name = Text(help_text="1 to 64 characters from letters, digits and +=,.@_-")
    permissions_boundary = Text(required=False, allow_null=True, default=None,
                                help_text="ARN of a managed policy that caps the user's permissions.")
    path = Text(required=False, default="/", help_text="Begins and ends with /, at most 512 characters.")
    tags = TagSerializer(many=True, required=False, default=list)


class UpdateUserRequest(StrictSerializer):
    new_user_name = Text(required=False)
    new_path = Text(required=False)


class CreateGroupRequest(StrictSerializer):
    group_name = Text(help_text="1 to 128 characters from letters, digits and +=,.@_-")
    path = Text(required=False, default="/")


class UpdateGroupRequest(StrictSerializer):
    new_group_name = Text(required=False)
    new_path = Text(required=False)


class AddMemberRequest(StrictSerializer):
    user_name = Text()


class UpdateAccessKeyRequest(StrictSerializer):
    status = serializers.ChoiceField(choices=["Active", "Inactive"])


class CreateLoginProfileRequest(StrictSerializer):
    password = Text(style={"input_type": "password"}, write_only=True)
    password_reset_required = serializers.BooleanField(required=False, default=False)


class UpdateLoginProfileRequest(StrictSerializer):
    password = Text(required=False, style={"input_type": "password"}, write_only=True)
    password_reset_required = serializers.BooleanField(required=False)


class TagUserRequest(StrictSerializer):
    tags = TagSerializer(many=True, allow_empty=False)


class UntagUserRequest(StrictSerializer):
    tag_keys = serializers.ListField(child=Text(), allow_empty=False)


class ChangePasswordRequest(StrictSerializer):
    old_password = Text(style={"input_type": "password"}, write_only=True)
    new_password = Text(style={"input_type": "password"}, write_only=True)


class PasswordPolicyFields(serializers.Serializer):
    minimum_password_length = serializers.IntegerField(required=False, help_text="6 to 128 (default 6).")
    require_symbols = serializers.BooleanField(required=False)
    require_numbers = serializers.BooleanField(required=False)
    require_uppercase_characters = serializers.BooleanField(required=False)
    require_lowercase_characters = serializers.BooleanField(required=False)
    allow_users_to_change_password = serializers.BooleanField(required=False)
    max_password_age = serializers.IntegerField(required=False, allow_null=True, help_text="1 to 1095 days.")
    password_reuse_prevention = serializers.IntegerField(required=False, allow_null=True, help_text="1 to 24.")
    hard_expiry = serializers.BooleanField(required=False)


class UpdatePasswordPolicyRequest(StrictSerializer, PasswordPolicyFields):
    """UpdateAccountPasswordPolicy: as in AWS, a setting left out returns to its default."""


# --- Responses --------------------------------------------------------------------------------------

class TagOut(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()


@extend_schema_field(TagOut(many=True))
class PrefetchedTagsField(serializers.Field):
    """A user's tags, only when they were loaded with the user (never a query per row)."""

    def __init__(self, **kwargs):
        super().__init__(source="*", read_only=True, required=False, **kwargs)

    def get_attribute(self, instance):
        cache = getattr(instance, "_prefetched_objects_cache", {})
        return list(cache["tags"]) if "tags" in cache else None

    def to_representation(self, tags):
        return [{"key": tag.key, "value": tag.value} for tag in tags]


class UserOut(serializers.Serializer):
    user_name = serializers.CharField()
    user_id = serializers.CharField()
    arn = serializers.CharField()
    path = serializers.CharField()
    create_date = Date()
    password_last_used = Date(allow_null=True)
    tags = PrefetchedTagsField()

    def to_representation(self, user):
        # Written out by hand: lists render 1,000 users a page, and DRF's per-field machinery costs
        # ten times more than these few attribute reads. The declared fields still describe the schema.
        data = {"user_name": user.user_name, "user_id": user.user_id, "arn": user.arn, "path": user.path,
                "create_date": aws_date(user.create_date), "password_last_used": aws_date(user.last_login)}
        cache = getattr(user, "_prefetched_objects_cache", {})
        if "tags" in cache:
            data["tags"] = [{"key": tag.key, "value": tag.value} for tag in cache["tags"]]
        if isinstance(self, MeOut):
            data["is_root"] = user.is_root
        return data


class MeOut(UserOut):
    is_root = serializers.BooleanField()


class GroupOut(serializers.Serializer):
    group_name = serializers.CharField()
    group_id = serializers.CharField()
    arn = serializers.CharField()
    path = serializers.CharField()
    create_date = Date()

    def to_representation(self, group):
        return {"group_name": group.group_name, "group_id": group.group_id, "arn": group.arn, "path": group.path,
                "create_date": aws_date(group.create_date)}


class AccessKeyOut(serializers.Serializer):
    user_name = serializers.CharField(source="user.user_name")
    access_key_id = serializers.CharField()
    status = serializers.CharField()
    create_date = Date()


class NewAccessKeyOut(serializers.Serializer):
    user_name = serializers.CharField(source="access_key.user.user_name")
    access_key_id = serializers.CharField(source="access_key.access_key_id")
    status = serializers.CharField(source="access_key.status")
    secret_access_key = serializers.CharField(help_text="Shown once, now: it cannot be retrieved later.")
    create_date = Date(source="access_key.create_date")


class AccessKeyLastUsedOut(serializers.Serializer):
    # AWS answers N/A for the service and region of a key that has never signed a request.
    last_used_date = Date(allow_null=True)
    service_name = serializers.CharField(source="last_used_service")
    region = serializers.CharField(source="last_used_region")

    def to_representation(self, key):
        data = super().to_representation(key)
        if key.last_used_date is None:
            data.update(service_name="N/A", region="N/A")
        return data


class LoginProfileOut(serializers.Serializer):
    user_name = serializers.CharField()
    create_date = Date(source="login_profile_create_date")
    password_reset_required = serializers.BooleanField()


class PasswordPolicyOut(PasswordPolicyFields):
    expire_passwords = serializers.SerializerMethodField()

    def get_expire_passwords(self, policy) -> bool:
        return bool(policy.max_password_age)


class AccountOut(serializers.Serializer):
    account_id = serializers.CharField(source="pk", help_text="The 12-digit account id.")
    name = serializers.CharField()
    alias = serializers.CharField(allow_null=True)
    email = serializers.CharField()
    status = serializers.ChoiceField(choices=["ACTIVE", "SUSPENDED", "PENDING_CLOSURE", "CLOSED"])
    is_management_account = serializers.BooleanField(source="is_management")
    create_date = serializers.DateTimeField()


# Envelopes, named for the OpenAPI schema.

class UserEnvelope(serializers.Serializer):
    user = UserOut()


class MeEnvelope(serializers.Serializer):
    user = MeOut()


class UserPage(serializers.Serializer):
    users = UserOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class GroupEnvelope(serializers.Serializer):
    group = GroupOut()


class GroupPage(serializers.Serializer):
    groups = GroupOut(many=True)
    is_truncated = serializers.BooleanField()
    marker = serializers.CharField(allow_null=True)


class GroupWithUsersOut(GroupEnvelope, UserPage):
    pass


class AccessKeyEnvelope(serializers.Serializer):
    access_key = AccessKeyOut()


class NewAccessKeyEnvelope(serializers.Serializer):
    access_key = NewAccessKeyOut()


class AccessKeyList(serializers.Serializer):
    user_name = serializers.CharField()
    access_key_metadata = AccessKeyOut(many=True)
    is_truncated = serializers.BooleanField()


class AccessKeyLastUsedEnvelope(serializers.Serializer):
    user_name = serializers.CharField()
    access_key_last_used = AccessKeyLastUsedOut()


class LoginProfileEnvelope(serializers.Serializer):
    login_profile = LoginProfileOut()


class TagList(serializers.Serializer):
    tags = TagOut(many=True)
    is_truncated = serializers.BooleanField()


class AccountEnvelope(serializers.Serializer):
    account = AccountOut()


class PasswordPolicyEnvelope(serializers.Serializer):
    password_policy = PasswordPolicyOut()


class ErrorBody(serializers.Serializer):
    code = serializers.CharField(help_text="IAM's error code, e.g. NoSuchEntity.")
    message = serializers.CharField()
    details = serializers.JSONField(required=False)
    request_id = serializers.CharField(required=False, help_text="This request's id, also in the x-amzn-RequestId "
                                                                  "header and the audit event.")


class ErrorEnvelope(serializers.Serializer):
    error = ErrorBody()
