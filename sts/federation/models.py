"""Identity providers as IAM entities (OpenID Connect, SAML), their tags, and the SAML replay ledger."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from iam_console import identifiers


class OpenIDConnectProvider(models.Model):
    """An OIDC issuer trusted for AssumeRoleWithWebIdentity. `url` is host[/path], as the ARN names it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="oidc_providers")
    url = models.CharField(max_length=255)
    client_ids = models.JSONField(default=list)
    thumbprints = models.JSONField(default=list)
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "sts"
        ordering = ["url"]
        constraints = [models.UniqueConstraint(fields=["account", "url"], name="oidc_provider_url_per_account")]

    def __str__(self) -> str:
        return self.url

    @property
    def arn(self) -> str:
        return identifiers.iam_arn(self.account_id, f"oidc-provider/{self.url}")

    @property
    def issuer(self) -> str:
        """The `iss` its tokens carry."""
        return f"https://{self.url}"


class SAMLProvider(models.Model):
    """A SAML 2.0 identity provider, described by the metadata document it publishes."""

    account = models.ForeignKey("accounts.Account", on_delete=models.PROTECT, related_name="saml_providers")
    name = models.CharField(max_length=128)
    metadata_document = models.TextField()
    entity_id = models.CharField(max_length=1024)
    # The PEM signing certificates found in the metadata: responses must be signed by one of them.
    certificates = models.JSONField(default=list)
    valid_until = models.DateTimeField()
    create_date = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "sts"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="saml_provider_name_per_account")]

    def __str__(self) -> str:
        return self.name

    @property
    def arn(self) -> str:
        return identifiers.iam_arn(self.account_id, f"saml-provider/{self.name}")


class OpenIDConnectProviderTag(models.Model):
    provider = models.ForeignKey(OpenIDConnectProvider, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        app_label = "sts"
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["provider", "key_lower"], name="oidc_provider_tag_unique")]


class SAMLProviderTag(models.Model):
    provider = models.ForeignKey(SAMLProvider, on_delete=models.CASCADE, related_name="tags")
    key = models.CharField(max_length=128)
    key_lower = models.GeneratedField(expression=Lower("key"), output_field=models.CharField(max_length=128),
                                      db_persist=True)
    value = models.CharField(max_length=256, blank=True)

    class Meta:
        app_label = "sts"
        ordering = ["key_lower"]
        constraints = [models.UniqueConstraint(fields=["provider", "key_lower"], name="saml_provider_tag_unique")]


class SeenAssertion(models.Model):
    """A SAML assertion already exchanged: the unique constraint refuses its replay until it would expire."""

    issuer = models.CharField(max_length=1024)
    assertion_id = models.CharField(max_length=256)
    not_on_or_after = models.DateTimeField()

    class Meta:
        app_label = "sts"
        constraints = [models.UniqueConstraint(fields=["issuer", "assertion_id"], name="saml_assertion_once")]
        indexes = [models.Index(fields=["not_on_or_after"], name="saml_assertion_expiry")]


class ConsoleSignInProvider(models.Model):
    """A provider an administrator shows on the console's sign-in page ("Sign in with <label>")."""

    label = models.CharField(max_length=64)
    oidc_provider = models.OneToOneField(OpenIDConnectProvider, null=True, blank=True, on_delete=models.CASCADE,
                                         related_name="console_sign_in")
    saml_provider = models.OneToOneField(SAMLProvider, null=True, blank=True, on_delete=models.CASCADE,
                                         related_name="console_sign_in")
    # OIDC: the console's client ID at the IdP (a public client: authorization code with PKCE, no secret kept).
    client_id = models.CharField(max_length=255, blank=True)
    # SAML: where the button sends the browser (the IdP's start page for this application, IdP-initiated).
    sign_in_url = models.URLField(max_length=1024, blank=True)

    class Meta:
        app_label = "sts"
        ordering = ["label", "id"]
        constraints = [models.CheckConstraint(
            condition=models.Q(oidc_provider__isnull=False, saml_provider__isnull=True)
            | models.Q(oidc_provider__isnull=True, saml_provider__isnull=False), name="sign_in_provider_one_kind")]

    def __str__(self) -> str:
        return self.label

    @property
    def provider(self):
        return self.oidc_provider or self.saml_provider
