"""AssumeRoleWithSAML: a signed SAML response from a registered IdP traded for role credentials (unsigned call)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from iam_console.callers import Caller
from iam_console.errors import AccessDenied, InvalidIdentityToken, ValidationError
from iam_console.operations import iam_operation
from iam_console.validation import validate_tags
from sts.federation import assume, saml
from sts.federation.assume import FederatedAssumedRole
from sts.federation.models import SAMLProvider, SeenAssertion
from sts.federation.principals import FederatedIdentity
from sts.federation.saml_providers import provider_by_arn
from sts.services import STS

ACTION = "sts:AssumeRoleWithSAML"
ASSERTION_MIN, ASSERTION_MAX = 4, 100_000  # AWS's SAMLAssertion length limits (base64 characters)


def role_pairs(values: list[str]) -> set[tuple[str, str]]:
    """(role ARN, provider ARN) pairs from the Role attribute ("role,provider" in either order)."""
    pairs = set()
    for value in values:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 2:
            continue
        role = next((part for part in parts if ":role/" in part), None)
        provider = next((part for part in parts if ":saml-provider/" in part), None)
        if role and provider:
            pairs.add((role, provider))
    return pairs


def verified_assertion(provider: SAMLProvider, saml_assertion: object,
                       recipients: list[str] | None = None) -> saml.Assertion:
    """The provider's verified assertion, recorded so that it can never be exchanged twice."""
    if not isinstance(saml_assertion, str) or not ASSERTION_MIN <= len(saml_assertion) <= ASSERTION_MAX:
        raise ValidationError("1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: "
                              f"Member must have length between {ASSERTION_MIN} and {ASSERTION_MAX}")
    if provider.valid_until <= timezone.now():
        raise InvalidIdentityToken(f"The SAML provider {provider.name}'s metadata is no longer valid: update it.")
    assertion = saml.verify_response(saml.decode_response(saml_assertion), certificates=provider.certificates,
                                     entity_id=provider.entity_id,
                                     audiences=[*settings.IAM_SAML_AUDIENCES, *(recipients or [])],
                                     recipients=[*settings.IAM_SAML_RECIPIENTS, *(recipients or [])])
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(issuer=assertion.issuer, assertion_id=assertion.assertion_id,
                                         not_on_or_after=assertion.not_on_or_after)
    except IntegrityError:
        raise InvalidIdentityToken("This SAML assertion has already been used: assertions are accepted once.") \
            from None
    return assertion


def condition_keys(provider: SAMLProvider, assertion: saml.Assertion) -> dict:
    return {"SAML:aud": assertion.recipient, "SAML:sub": assertion.name_id, "SAML:sub_type": assertion.subject_type,
            "SAML:iss": assertion.issuer, "SAML:namequalifier": saml.name_qualifier(assertion.issuer, provider.account_id, provider.name),
            "aws:FederatedProvider": provider.arn}


def session_parameters(assertion: saml.Assertion) -> tuple[str, int | None, str, dict[str, str]]:
    """RoleSessionName, SessionDuration, SourceIdentity and PrincipalTag attributes."""
    names = assertion.attributes.get(saml.SESSION_NAME_ATTRIBUTE) or []
    if len(names) != 1:
        raise InvalidIdentityToken("The SAML assertion must carry one RoleSessionName attribute.")
    duration = None
    durations = assertion.attributes.get(saml.SESSION_DURATION_ATTRIBUTE) or []
    if durations:
        if not durations[0].isdigit() or not 900 <= int(durations[0]) <= 43200:
            raise InvalidIdentityToken("The SessionDuration attribute must be 900 to 43200 seconds.")
        duration = int(durations[0])
    sources = assertion.attributes.get(saml.SOURCE_IDENTITY_ATTRIBUTE) or []
    tags = [{"key": name.removeprefix(saml.PRINCIPAL_TAG_ATTRIBUTE), "value": values[0] if values else ""}
            for name, values in assertion.attributes.items() if name.startswith(saml.PRINCIPAL_TAG_ATTRIBUTE)]
    try:
        tag_map = validate_tags(tags)
    except ValidationError as error:
        raise InvalidIdentityToken(f"A PrincipalTag attribute is not a valid tag: {error.message}") from None
    return names[0], duration, sources[0] if sources else "", tag_map


@iam_operation("AssumeRoleWithSAML", audit_reads=True, event_source=STS, needs_permission=False)
def assume_role_with_saml(*, caller: Caller, role_arn: str, principal_arn: str, saml_assertion: str,
                          duration_seconds: int | None = None, policy: str | None = None,
                          policy_arns: list[str] | None = None,
                          recipients: list[str] | None = None) -> FederatedAssumedRole:
    assume.check_inputs(role_arn, "placeholder", duration_seconds)
    # The provider and the role are of one account: the role's, which its trust policy's provider ARN names.
    provider = provider_by_arn(assume.role_account(role_arn), principal_arn)
    assertion = verified_assertion(provider, saml_assertion, recipients)
    if (role_arn, provider.arn) not in role_pairs(assertion.attributes.get(saml.ROLE_ATTRIBUTE) or []):
        raise AccessDenied(f"Not authorized to perform {ACTION}: the assertion's Role attribute does not offer "
                           "this role with this provider.")
    session_name, max_duration, source_identity, tags = session_parameters(assertion)
    try:
        assume.check_inputs(role_arn, session_name, None)
    except ValidationError:
        raise InvalidIdentityToken("The RoleSessionName attribute must be 2 to 64 characters of [\\w+=,.@-].") \
            from None
    role = assume.role_for(role_arn, ACTION)
    identity = FederatedIdentity(arn=provider.arn, unique_id=f"{provider.arn}:{assertion.name_id}",
                                 principal_name=assertion.name_id, principal_type="SAMLUser")
    assumed = assume.assume(caller=caller, identity=identity, role=role, action=ACTION,
                            role_session_name=session_name, duration_seconds=duration_seconds, policy=policy,
                            policy_arns=policy_arns, condition_keys=condition_keys(provider, assertion), tags=tags,
                            source_identity=source_identity, max_duration=max_duration)
    return FederatedAssumedRole(
        assumed=assumed, identity=identity, audience=assertion.recipient, provider=provider.arn,
        extra={"issuer": assertion.issuer, "name_qualifier": saml.name_qualifier(assertion.issuer, provider.account_id, provider.name),
               "subject_type": assertion.subject_type})
