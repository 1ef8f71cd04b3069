"""AssumeRoleWithWebIdentity: an OpenID Connect ID token traded for role credentials (unsigned, as in AWS)."""

from __future__ import annotations

from iam_console.callers import Caller
from iam_console.errors import ValidationError
from iam_console.operations import iam_operation
from sts.federation import assume, oidc
from sts.federation.assume import FederatedAssumedRole
from sts.federation.principals import FederatedIdentity
from sts.services import STS

ACTION = "sts:AssumeRoleWithWebIdentity"
TOKEN_MIN, TOKEN_MAX = 4, 20000  # AWS's WebIdentityToken length limits
TAGS_CLAIM = "https://aws.amazon.com/tags"
SOURCE_IDENTITY_CLAIM = "https://aws.amazon.com/source_identity"


@iam_operation("AssumeRoleWithWebIdentity", audit_reads=True, event_source=STS, needs_permission=False)
def assume_role_with_web_identity(*, caller: Caller, role_arn: str, role_session_name: str,
                                  web_identity_token: str, duration_seconds: int | None = None,
                                  policy: str | None = None,
                                  policy_arns: list[str] | None = None) -> FederatedAssumedRole:
    assume.check_inputs(role_arn, role_session_name, duration_seconds)
    if not isinstance(web_identity_token, str) or not TOKEN_MIN <= len(web_identity_token) <= TOKEN_MAX:
        # Checked before any parsing: an oversized token costs nothing but this comparison.
        raise ValidationError("1 validation error detected: Value at 'webIdentityToken' failed to satisfy "
                              f"constraint: Member must have length between {TOKEN_MIN} and {TOKEN_MAX}")
    # The token's issuer must be a provider of the role's account (providers are per account).
    verified = oidc.verify_token(web_identity_token, account_id=assume.role_account(role_arn))
    provider = verified.provider
    role = assume.role_for(role_arn, ACTION)
    identity = FederatedIdentity(arn=provider.arn, unique_id=f"{provider.url}:{verified.audience}:{verified.subject}",
                                 principal_name=verified.subject, principal_type="WebIdentityUser")
    source_identity = verified.claims.get(SOURCE_IDENTITY_CLAIM) or ""
    if source_identity:
        assume.check_inputs(role_arn, source_identity, None)  # the same rule as a session name
    tags, transitive = assume.session_tags_from_claim(verified.claims.get(TAGS_CLAIM))
    assumed = assume.assume(
        caller=caller, identity=identity, role=role, action=ACTION, role_session_name=role_session_name,
        duration_seconds=duration_seconds, policy=policy, policy_arns=policy_arns,
        condition_keys=oidc.condition_keys(verified),
        tags=tags, transitive_tag_keys=transitive, source_identity=source_identity)
    return FederatedAssumedRole(assumed=assumed, identity=identity, audience=verified.audience,
                                provider=verified.claims["iss"], extra={})
