"""STS: AssumeRole, GetSessionToken, GetCallerIdentity, GetAccessKeyInfo."""

from __future__ import annotations

from iam_console.query.registry import operation
from iam_console.query.shapes import kwargs
from sts import services


def _credentials(issued) -> dict:
    return {"AccessKeyId": issued.access_key_id, "SecretAccessKey": issued.secret_access_key,
            "SessionToken": issued.session_token, "Expiration": issued.expiration}


@operation("sts", "AssumeRole")
def assume_role(caller, params: dict) -> dict:
    arguments = kwargs(params, duration_seconds="DurationSeconds", policy="Policy", external_id="ExternalId",
                       serial_number="SerialNumber", token_code="TokenCode", source_identity="SourceIdentity")
    if params.get("TransitiveTagKeys"):
        arguments["transitive_tag_keys"] = list(params["TransitiveTagKeys"])
    if params.get("PolicyArns"):
        arguments["policy_arns"] = [item["arn"] for item in params["PolicyArns"] if item.get("arn")]
    assumed = services.assume_role(caller=caller, role_arn=params["RoleArn"],
                                   role_session_name=params["RoleSessionName"],
                                   tags=[{"key": tag["Key"], "value": tag.get("Value", "")}
                                         for tag in params.get("Tags") or []], **arguments)
    answer = {"Credentials": _credentials(assumed),
              "AssumedRoleUser": {"AssumedRoleId": assumed.assumed_role_id, "Arn": assumed.arn},
              "PackedPolicySize": assumed.packed_policy_size}
    if assumed.session.source_identity:
        answer["SourceIdentity"] = assumed.session.source_identity
    return answer


@operation("sts", "GetCallerIdentity")
def get_caller_identity(caller, params: dict) -> dict:
    identity = services.get_caller_identity(caller=caller)
    return {"UserId": identity.user_id, "Account": identity.account, "Arn": identity.arn}


@operation("sts", "GetAccessKeyInfo")
def get_access_key_info(caller, params: dict) -> dict:
    return {"Account": services.get_access_key_info(caller=caller, access_key_id=params["AccessKeyId"])}


@operation("sts", "GetSessionToken")
def get_session_token(caller, params: dict) -> dict:
    issued = services.get_session_token(caller=caller, **kwargs(
        params, duration_seconds="DurationSeconds", serial_number="SerialNumber", token_code="TokenCode"))
    return {"Credentials": _credentials(issued)}
