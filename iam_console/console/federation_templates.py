"""The role wizard's federated trust templates, with the condition keys AWS's console prefills."""

from __future__ import annotations

import re

from django.conf import settings

_OIDC = re.compile(r"arn:[\w-]+:iam::\d{12}:oidc-provider/(?P<url>[\x21-\x7e]{1,255})")
_SAML = re.compile(r"arn:[\w-]+:iam::\d{12}:saml-provider/[\w.-]{1,128}")


def federated_trust_statement(kind: str, provider_arn: str, *, account_id: str) -> dict:
    """Web identity: <provider>:aud and <provider>:sub; SAML: SAML:aud. Placeholders (of the account) when no
    provider is chosen."""
    prefix = f"arn:{settings.IAM_PARTITION}:iam::{account_id}"
    if kind == "web_identity":
        match = _OIDC.fullmatch(provider_arn or "")
        url = match["url"] if match else "PROVIDER-URL"
        return {"Effect": "Allow", "Principal": {"Federated": match.group(0) if match else
                                                  f"{prefix}:oidc-provider/{url}"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {f"{url}:aud": "sts.amazonaws.com"},
                              "StringLike": {f"{url}:sub": "SUBJECT-PATTERN"}}}
    arn = provider_arn if _SAML.fullmatch(provider_arn or "") else f"{prefix}:saml-provider/PROVIDER-NAME"
    return {"Effect": "Allow", "Principal": {"Federated": arn}, "Action": "sts:AssumeRoleWithSAML",
            "Condition": {"StringEquals": {"SAML:aud": settings.IAM_SAML_RECIPIENTS[0]
                                           if settings.IAM_SAML_RECIPIENTS else "https://signin.aws.amazon.com/saml"}}}
