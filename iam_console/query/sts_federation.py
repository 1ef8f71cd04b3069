"""STS federation over the Query API: AssumeRoleWithWebIdentity and AssumeRoleWithSAML, unsigned as in AWS."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.query.registry import operation
from iam_console.query.shapes import kwargs
from sts.federation.assume import FederatedAssumedRole
from sts.federation.principals import ANONYMOUS
from sts.federation.saml_assume import assume_role_with_saml
from sts.federation.web_identity import assume_role_with_web_identity


def _anonymous(caller: Caller | None) -> Caller:
    return caller or Caller(principal=ANONYMOUS, via="api")


def _session_arguments(params: dict) -> dict:
    arguments = kwargs(params, duration_seconds="DurationSeconds", policy="Policy")
    if params.get("PolicyArns"):
        arguments["policy_arns"] = [item["arn"] for item in params["PolicyArns"] if item.get("arn")]
    return arguments


def _common(result: FederatedAssumedRole) -> dict:
    assumed = result.assumed
    answer = {"Credentials": {"AccessKeyId": assumed.access_key_id, "SecretAccessKey": assumed.secret_access_key,
                              "SessionToken": assumed.session_token, "Expiration": assumed.expiration},
              "AssumedRoleUser": {"AssumedRoleId": assumed.assumed_role_id, "Arn": assumed.arn},
              "PackedPolicySize": assumed.packed_policy_size, "Audience": result.audience}
    if assumed.session.source_identity:
        answer["SourceIdentity"] = assumed.session.source_identity
    return answer


@operation("sts", "AssumeRoleWithWebIdentity", signed=False)
def assume_role_with_web_identity_handler(caller, params: dict) -> dict:
    result = assume_role_with_web_identity(
        caller=_anonymous(caller), role_arn=params["RoleArn"], role_session_name=params["RoleSessionName"],
        web_identity_token=params["WebIdentityToken"], **_session_arguments(params))
    return {**_common(result), "SubjectFromWebIdentityToken": result.identity.principal_name,
            "Provider": result.provider}


@operation("sts", "AssumeRoleWithSAML", signed=False)
def assume_role_with_saml_handler(caller, params: dict) -> dict:
    result = assume_role_with_saml(
        caller=_anonymous(caller), role_arn=params["RoleArn"], principal_arn=params["PrincipalArn"],
        saml_assertion=params["SAMLAssertion"], **_session_arguments(params))
    return {**_common(result), "Subject": result.identity.principal_name, "SubjectType": result.extra["subject_type"],
            "Issuer": result.extra["issuer"], "NameQualifier": result.extra["name_qualifier"]}
