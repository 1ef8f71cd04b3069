"""SAML provider operations: Create/Update/Get/List/Delete and tags. Metadata is checked before it is kept."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction

from iam_console import identifiers
from iam_console.callers import Caller
from iam_console.errors import EntityAlreadyExists, LimitExceeded, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import validate_tag_key, validate_tags
from policies.authorization import authorize_caller, authorize_unknown
from sts.federation import saml
from sts.federation.models import SAMLProvider, SAMLProviderTag

PROVIDERS_MAX = 100
METADATA_MIN, METADATA_MAX = 1000, 10_000_000  # AWS's SAMLMetadataDocument length limits
_NAME = re.compile(r"[\w._-]{1,128}", re.ASCII)
_ARN = re.compile(r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):saml-provider/(?P<name>[\w._-]{1,128})",
                  re.ASCII)


def _checked_metadata(document: object) -> saml.Metadata:
    if not isinstance(document, str) or not METADATA_MIN <= len(document) <= METADATA_MAX:
        raise ValidationError("1 validation error detected: Value at 'sAMLMetadataDocument' failed to satisfy "
                              f"constraint: Member must have length between {METADATA_MIN} and {METADATA_MAX}")
    return saml.parse_metadata(document)


def provider_by_arn(account_id: str, arn: object, *, for_update: bool = False) -> SAMLProvider:
    """A provider of the account `account_id`: another account's is not found, as one that does not exist."""
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValidationError(f"{str(arn)[:120]} is not a SAML provider ARN (arn:aws:iam::<account>:saml-provider/"
                              "<name>)")
    queryset = SAMLProvider.objects.select_for_update() if for_update else SAMLProvider.objects
    provider = None
    if match["account"] == account_id and match["partition"] == identifiers.partition():
        provider = queryset.filter(account_id=account_id, name=match["name"]).first()
    if provider is None:
        authorize_unknown(arn)  # a caller who may not act on it learns nothing of whether it exists
        raise NoSuchEntity(f"Manifest not found for arn {arn}")
    return provider


@iam_operation("CreateSAMLProvider")
def create_saml_provider(*, caller: Caller, name: str, saml_metadata_document: str,
                         tags: list[dict] | None = None) -> SAMLProvider:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError("1 validation error detected: Value at 'name' failed to satisfy constraint: Member "
                              r"must have length between 1 and 128 and satisfy regular expression pattern: [\w._-]+")
    tag_map = validate_tags(tags or [])
    authorize_caller(caller, "iam:CreateSAMLProvider", identifiers.iam_arn(caller.account_id, f"saml-provider/{name}"),
                     request_tag_context(tag_map))
    metadata = _checked_metadata(saml_metadata_document)
    if SAMLProvider.objects.filter(account_id=caller.account_id).count() >= PROVIDERS_MAX:
        raise LimitExceeded(f"Cannot exceed quota for SAMLProvidersPerAccount: {PROVIDERS_MAX}")
    try:
        with transaction.atomic():
            provider = SAMLProvider.objects.create(account_id=caller.account_id, name=name, metadata_document=saml_metadata_document,
                                                   entity_id=metadata.entity_id, certificates=metadata.certificates,
                                                   valid_until=metadata.valid_until)
    except IntegrityError:
        raise EntityAlreadyExists(f"SAMLProvider {name} already exists.") from None
    if tag_map:
        merge_tags(SAMLProviderTag, {"provider": provider}, tag_map, quota_name="TagsPerSAMLProvider")
    return provider


@iam_operation("UpdateSAMLProvider")
def update_saml_provider(*, caller: Caller, saml_provider_arn: str, saml_metadata_document: str) -> SAMLProvider:
    provider = provider_by_arn(caller.account_id, saml_provider_arn, for_update=True)
    authorize_caller(caller, "iam:UpdateSAMLProvider", provider.arn)
    metadata = _checked_metadata(saml_metadata_document)
    provider.metadata_document = saml_metadata_document
    provider.entity_id, provider.certificates = metadata.entity_id, metadata.certificates
    provider.valid_until = metadata.valid_until
    provider.save(update_fields=["metadata_document", "entity_id", "certificates", "valid_until"])
    return provider


@iam_operation("GetSAMLProvider")
def get_saml_provider(*, caller: Caller, saml_provider_arn: str) -> SAMLProvider:
    provider = provider_by_arn(caller.account_id, saml_provider_arn)
    authorize_caller(caller, "iam:GetSAMLProvider", provider.arn)
    return provider


@iam_operation("ListSAMLProviders")
def list_saml_providers(*, caller: Caller) -> list[SAMLProvider]:
    authorize_caller(caller, "iam:ListSAMLProviders", "*")
    return list(SAMLProvider.objects.filter(account_id=caller.account_id).defer("metadata_document",
                                                                                "certificates"))


@iam_operation("DeleteSAMLProvider")
def delete_saml_provider(*, caller: Caller, saml_provider_arn: str) -> None:
    provider = provider_by_arn(caller.account_id, saml_provider_arn, for_update=True)
    authorize_caller(caller, "iam:DeleteSAMLProvider", provider.arn)
    provider.delete()


@iam_operation("TagSAMLProvider")
def tag_saml_provider(*, caller: Caller, saml_provider_arn: str, tags: list[dict]) -> list[SAMLProviderTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    provider = provider_by_arn(caller.account_id, saml_provider_arn, for_update=True)
    authorize_caller(caller, "iam:TagSAMLProvider", provider.arn, request_tag_context(tag_map))
    return merge_tags(SAMLProviderTag, {"provider": provider}, tag_map, quota_name="TagsPerSAMLProvider")


@iam_operation("UntagSAMLProvider")
def untag_saml_provider(*, caller: Caller, saml_provider_arn: str, tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    provider = provider_by_arn(caller.account_id, saml_provider_arn, for_update=True)
    authorize_caller(caller, "iam:UntagSAMLProvider", provider.arn, {"aws:TagKeys": keys})
    remove_tags(SAMLProviderTag, {"provider": provider}, keys)


@iam_operation("ListSAMLProviderTags")
def list_saml_provider_tags(*, caller: Caller, saml_provider_arn: str) -> list[SAMLProviderTag]:
    provider = provider_by_arn(caller.account_id, saml_provider_arn)
    authorize_caller(caller, "iam:ListSAMLProviderTags", provider.arn)
    return list(provider.tags.all())
