"""IAM identity providers over the Query API: OpenID Connect and SAML providers and their tags."""

from __future__ import annotations

from iam_console.errors import InvalidInput
from iam_console.query.registry import operation
from iam_console.query.shapes import tags_out
from sts.federation import oidc_providers, saml_providers

OIDC_ARN = "OpenIDConnectProviderArn"
SAML_ARN = "SAMLProviderArn"


def _tags(params: dict) -> list[dict]:
    return [{"key": tag["Key"], "value": tag.get("Value", "")} for tag in params.get("Tags") or []]


def _no_assertion_encryption(params: dict) -> None:
    # Encrypted assertions (a private key held by the directory) are not supported: say so instead of ignoring it.
    for name in ("AssertionEncryptionMode", "AddPrivateKey", "RemovePrivateKey"):
        if params.get(name) and params.get(name) != "Allowed":
            raise InvalidInput(f"{name} is not supported: SAML assertions must be signed, not encrypted.")


@operation("iam", "CreateOpenIDConnectProvider")
def create_open_id_connect_provider(caller, params: dict) -> dict:
    provider = oidc_providers.create_open_id_connect_provider(
        caller=caller, url=params["Url"], client_id_list=params.get("ClientIDList") or [],
        thumbprint_list=params.get("ThumbprintList") or [], tags=_tags(params))
    return {"OpenIDConnectProviderArn": provider.arn, "Tags": tags_out(provider.tags.all())}


@operation("iam", "GetOpenIDConnectProvider")
def get_open_id_connect_provider(caller, params: dict) -> dict:
    provider = oidc_providers.get_open_id_connect_provider(caller=caller, open_id_connect_provider_arn=params[OIDC_ARN])
    return {"Url": provider.url, "ClientIDList": provider.client_ids, "ThumbprintList": provider.thumbprints,
            "CreateDate": provider.create_date, "Tags": tags_out(provider.tags.all())}


@operation("iam", "ListOpenIDConnectProviders")
def list_open_id_connect_providers(caller, params: dict) -> dict:
    providers = oidc_providers.list_open_id_connect_providers(caller=caller)
    return {"OpenIDConnectProviderList": [{"Arn": provider.arn} for provider in providers]}


@operation("iam", "DeleteOpenIDConnectProvider")
def delete_open_id_connect_provider(caller, params: dict) -> dict:
    oidc_providers.delete_open_id_connect_provider(caller=caller, open_id_connect_provider_arn=params[OIDC_ARN])
    return {}


@operation("iam", "AddClientIDToOpenIDConnectProvider")
def add_client_id(caller, params: dict) -> dict:
    oidc_providers.add_client_id_to_open_id_connect_provider(
        caller=caller, open_id_connect_provider_arn=params[OIDC_ARN], client_id=params["ClientID"])
    return {}


@operation("iam", "RemoveClientIDFromOpenIDConnectProvider")
def remove_client_id(caller, params: dict) -> dict:
    oidc_providers.remove_client_id_from_open_id_connect_provider(
        caller=caller, open_id_connect_provider_arn=params[OIDC_ARN], client_id=params["ClientID"])
    return {}


@operation("iam", "UpdateOpenIDConnectProviderThumbprint")
def update_thumbprint(caller, params: dict) -> dict:
    oidc_providers.update_open_id_connect_provider_thumbprint(
        caller=caller, open_id_connect_provider_arn=params[OIDC_ARN], thumbprint_list=params["ThumbprintList"])
    return {}


@operation("iam", "TagOpenIDConnectProvider")
def tag_open_id_connect_provider(caller, params: dict) -> dict:
    oidc_providers.tag_open_id_connect_provider(caller=caller, open_id_connect_provider_arn=params[OIDC_ARN],
                                                tags=_tags(params))
    return {}


@operation("iam", "UntagOpenIDConnectProvider")
def untag_open_id_connect_provider(caller, params: dict) -> dict:
    oidc_providers.untag_open_id_connect_provider(caller=caller, open_id_connect_provider_arn=params[OIDC_ARN],
                                                  tag_keys=params["TagKeys"])
    return {}


@operation("iam", "ListOpenIDConnectProviderTags")
def list_open_id_connect_provider_tags(caller, params: dict) -> dict:
    tags = oidc_providers.list_open_id_connect_provider_tags(caller=caller,
                                                             open_id_connect_provider_arn=params[OIDC_ARN])
    return {"Tags": tags_out(tags), "IsTruncated": False}


@operation("iam", "CreateSAMLProvider")
def create_saml_provider(caller, params: dict) -> dict:
    _no_assertion_encryption(params)
    provider = saml_providers.create_saml_provider(caller=caller, name=params["Name"],
                                                   saml_metadata_document=params["SAMLMetadataDocument"],
                                                   tags=_tags(params))
    return {"SAMLProviderArn": provider.arn, "Tags": tags_out(provider.tags.all())}


@operation("iam", "UpdateSAMLProvider")
def update_saml_provider(caller, params: dict) -> dict:
    _no_assertion_encryption(params)
    provider = saml_providers.update_saml_provider(caller=caller, saml_provider_arn=params[SAML_ARN],
                                                   saml_metadata_document=params.get("SAMLMetadataDocument"))
    return {"SAMLProviderArn": provider.arn}


@operation("iam", "GetSAMLProvider")
def get_saml_provider(caller, params: dict) -> dict:
    provider = saml_providers.get_saml_provider(caller=caller, saml_provider_arn=params[SAML_ARN])
    return {"SAMLMetadataDocument": provider.metadata_document, "CreateDate": provider.create_date,
            "ValidUntil": provider.valid_until, "Tags": tags_out(provider.tags.all())}


@operation("iam", "ListSAMLProviders")
def list_saml_providers(caller, params: dict) -> dict:
    providers = saml_providers.list_saml_providers(caller=caller)
    return {"SAMLProviderList": [{"Arn": p.arn, "ValidUntil": p.valid_until, "CreateDate": p.create_date}
                                 for p in providers]}


@operation("iam", "DeleteSAMLProvider")
def delete_saml_provider(caller, params: dict) -> dict:
    saml_providers.delete_saml_provider(caller=caller, saml_provider_arn=params[SAML_ARN])
    return {}


@operation("iam", "TagSAMLProvider")
def tag_saml_provider(caller, params: dict) -> dict:
    saml_providers.tag_saml_provider(caller=caller, saml_provider_arn=params[SAML_ARN], tags=_tags(params))
    return {}


@operation("iam", "UntagSAMLProvider")
def untag_saml_provider(caller, params: dict) -> dict:
    saml_providers.untag_saml_provider(caller=caller, saml_provider_arn=params[SAML_ARN], tag_keys=params["TagKeys"])
    return {}


@operation("iam", "ListSAMLProviderTags")
def list_saml_provider_tags(caller, params: dict) -> dict:
    tags = saml_providers.list_saml_provider_tags(caller=caller, saml_provider_arn=params[SAML_ARN])
    return {"Tags": tags_out(tags), "IsTruncated": False}
