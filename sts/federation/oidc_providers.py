"""OpenID Connect provider operations: Create/Get/List/Delete, client IDs, thumbprints, tags."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction

from iam_console import identifiers
from iam_console.callers import Caller
from iam_console.errors import EntityAlreadyExists, InvalidInput, LimitExceeded, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from iam_console.tagging import merge_tags, remove_tags, request_tag_context
from iam_console.validation import validate_tag_key, validate_tags
from policies.authorization import authorize_caller, authorize_unknown
from sts.federation import oidc
from sts.federation.models import OpenIDConnectProvider, OpenIDConnectProviderTag

PROVIDERS_MAX = 100
CLIENT_IDS_MAX = 100
CLIENT_ID_MAX_LENGTH = 255
THUMBPRINTS_MAX = 5
URL_MAX = 255
_THUMBPRINT = re.compile(r"[0-9a-fA-F]{40}")
_HOST = re.compile(r"[A-Za-z0-9.-]+(:\d{1,5})?")
_ARN = re.compile(r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):oidc-provider/(?P<url>[\x21-\x7e]{1,255})")


def validate_url(url: object) -> str:
    """https://host[/path] -> host[/path], as AWS keeps it (no query, no fragment, no user info)."""
    if not isinstance(url, str) or not 1 <= len(url) <= URL_MAX:
        raise ValidationError(f"1 validation error detected: Value at 'url' failed to satisfy constraint: Member "
                              f"must have length between 1 and {URL_MAX}")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced [ in the host
        raise InvalidInput(f"Invalid URL {url[:255]!r}: it must be https://host[/path]") from None
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment or "@" in parts.netloc \
            or not _HOST.fullmatch(parts.netloc) or any(c.isspace() for c in url):
        raise InvalidInput(f"Invalid URL {url[:255]!r}: it must be https://host[/path], without a query or fragment")
    return (parts.netloc.lower() + parts.path).rstrip("/")


def validate_client_id(value: object) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= CLIENT_ID_MAX_LENGTH:
        raise ValidationError("1 validation error detected: Value at 'clientID' failed to satisfy constraint: "
                              f"Member must have length between 1 and {CLIENT_ID_MAX_LENGTH}")
    return value


def validate_thumbprints(values: object) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list) or len(values) > THUMBPRINTS_MAX:
        raise ValidationError(f"thumbprint_list must be a list of at most {THUMBPRINTS_MAX} thumbprints")
    for value in values:
        if not isinstance(value, str) or not _THUMBPRINT.fullmatch(value):
            raise ValidationError("Each thumbprint must be the 40 hexadecimal digits of a certificate's SHA-1 "
                                  "fingerprint")
    return list(dict.fromkeys(value.lower() for value in values))


def provider_by_arn(account_id: str, arn: object, *, for_update: bool = False) -> OpenIDConnectProvider:
    """A provider of the account `account_id`: another account's is not found, as one that does not exist."""
    match = _ARN.fullmatch(arn) if isinstance(arn, str) else None
    if match is None:
        raise ValidationError(f"{str(arn)[:120]} is not an OpenID Connect provider ARN "
                              "(arn:aws:iam::<account>:oidc-provider/<host/path>)")
    queryset = OpenIDConnectProvider.objects.select_for_update() if for_update else OpenIDConnectProvider.objects
    provider = None
    if match["account"] == account_id and match["partition"] == identifiers.partition():
        provider = queryset.filter(account_id=account_id, url=match["url"]).first()
    if provider is None:
        authorize_unknown(arn)  # a caller who may not act on it learns nothing of whether it exists
        raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
    return provider


@iam_operation("CreateOpenIDConnectProvider")
def create_open_id_connect_provider(*, caller: Caller, url: str, client_id_list: list[str] | None = None,
                                    thumbprint_list: list[str] | None = None,
                                    tags: list[dict] | None = None) -> OpenIDConnectProvider:
    host_path = validate_url(url)
    client_ids = list(dict.fromkeys(validate_client_id(value) for value in (client_id_list or [])))
    if len(client_ids) > CLIENT_IDS_MAX:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_MAX}")
    thumbprints = validate_thumbprints(thumbprint_list)
    tag_map = validate_tags(tags or [])
    authorize_caller(caller, "iam:CreateOpenIDConnectProvider", identifiers.iam_arn(caller.account_id, f"oidc-provider/{host_path}"),
                     request_tag_context(tag_map))
    if OpenIDConnectProvider.objects.filter(account_id=caller.account_id).count() >= PROVIDERS_MAX:
        raise LimitExceeded(f"Cannot exceed quota for OpenIdConnectProvidersPerAccount: {PROVIDERS_MAX}")
    try:
        with transaction.atomic():
            provider = OpenIDConnectProvider.objects.create(account_id=caller.account_id, url=host_path, client_ids=client_ids,
                                                            thumbprints=thumbprints)
    except IntegrityError:
        raise EntityAlreadyExists(f"Provider with url https://{host_path} already exists.") from None
    if tag_map:
        merge_tags(OpenIDConnectProviderTag, {"provider": provider}, tag_map, quota_name="TagsPerOIDCProvider")
    return provider


@iam_operation("GetOpenIDConnectProvider")
def get_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str) -> OpenIDConnectProvider:
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn)
    authorize_caller(caller, "iam:GetOpenIDConnectProvider", provider.arn)
    return provider


@iam_operation("ListOpenIDConnectProviders")
def list_open_id_connect_providers(*, caller: Caller) -> list[OpenIDConnectProvider]:
    authorize_caller(caller, "iam:ListOpenIDConnectProviders", "*")
    return list(OpenIDConnectProvider.objects.filter(account_id=caller.account_id))


@iam_operation("DeleteOpenIDConnectProvider")
def delete_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str) -> None:
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:DeleteOpenIDConnectProvider", provider.arn)
    provider.delete()
    transaction.on_commit(lambda: oidc.forget_keys(f"https://{provider.url}"))


@iam_operation("AddClientIDToOpenIDConnectProvider")
def add_client_id_to_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str,
                                              client_id: str) -> None:
    client_id = validate_client_id(client_id)
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:AddClientIDToOpenIDConnectProvider", provider.arn)
    if client_id in provider.client_ids:
        return  # AWS: adding a client ID that is already there succeeds and changes nothing
    if len(provider.client_ids) >= CLIENT_IDS_MAX:
        raise LimitExceeded(f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {CLIENT_IDS_MAX}")
    provider.client_ids = [*provider.client_ids, client_id]
    provider.save(update_fields=["client_ids"])


@iam_operation("RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id_from_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str,
                                                   client_id: str) -> None:
    client_id = validate_client_id(client_id)
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:RemoveClientIDFromOpenIDConnectProvider", provider.arn)
    if client_id in provider.client_ids:
        provider.client_ids = [value for value in provider.client_ids if value != client_id]
        provider.save(update_fields=["client_ids"])


@iam_operation("UpdateOpenIDConnectProviderThumbprint")
def update_open_id_connect_provider_thumbprint(*, caller: Caller, open_id_connect_provider_arn: str,
                                               thumbprint_list: list[str]) -> None:
    thumbprints = validate_thumbprints(thumbprint_list)
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:UpdateOpenIDConnectProviderThumbprint", provider.arn)
    provider.thumbprints = thumbprints
    provider.save(update_fields=["thumbprints"])


@iam_operation("TagOpenIDConnectProvider")
def tag_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str,
                                 tags: list[dict]) -> list[OpenIDConnectProviderTag]:
    tag_map = validate_tags(tags)
    if not tag_map:
        raise ValidationError("tags must contain at least one tag")
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:TagOpenIDConnectProvider", provider.arn, request_tag_context(tag_map))
    return merge_tags(OpenIDConnectProviderTag, {"provider": provider}, tag_map, quota_name="TagsPerOIDCProvider")


@iam_operation("UntagOpenIDConnectProvider")
def untag_open_id_connect_provider(*, caller: Caller, open_id_connect_provider_arn: str,
                                   tag_keys: list[str]) -> None:
    if not isinstance(tag_keys, list) or not tag_keys:
        raise ValidationError("tag_keys must be a non-empty list of tag keys")
    keys = [validate_tag_key(key) for key in tag_keys]
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn, for_update=True)
    authorize_caller(caller, "iam:UntagOpenIDConnectProvider", provider.arn, {"aws:TagKeys": keys})
    remove_tags(OpenIDConnectProviderTag, {"provider": provider}, keys)


@iam_operation("ListOpenIDConnectProviderTags")
def list_open_id_connect_provider_tags(*, caller: Caller,
                                       open_id_connect_provider_arn: str) -> list[OpenIDConnectProviderTag]:
    provider = provider_by_arn(caller.account_id, open_id_connect_provider_arn)
    authorize_caller(caller, "iam:ListOpenIDConnectProviderTags", provider.arn)
    return list(provider.tags.all())


def discovery_preview(*, caller: Caller, url: str) -> dict:
    """The issuer's discovery document, for the console's "fetch" button: same network rules as token checks."""
    host_path = validate_url(url)
    authorize_caller(caller, "iam:CreateOpenIDConnectProvider", identifiers.iam_arn(caller.account_id, f"oidc-provider/{host_path}"))
    return oidc.discover(f"https://{host_path}")
