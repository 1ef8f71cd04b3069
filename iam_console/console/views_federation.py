"""Identity providers in the console: list, create (OIDC with discovery, SAML from metadata), detail, sign-in page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from directory.services.roles import list_roles
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.errors import IAMError
from sts.federation import console as sign_in
from sts.federation import oidc_providers, saml_providers

METADATA_UPLOAD_MAX = 1_000_000


class OIDCProviderForm(forms.Form):
    url = forms.CharField(label="Provider URL", max_length=255, help_text="https://host[/path]: the issuer, as "
                          "its tokens' iss claim names it.")
    client_ids = forms.CharField(label="Audiences (client IDs)", required=False, widget=forms.Textarea(
        attrs={"rows": 3}), help_text="One per line, e.g. sts.amazonaws.com for CI systems.")
    thumbprints = forms.CharField(label="Thumbprints (optional)", required=False, widget=forms.Textarea(
        attrs={"rows": 2}), help_text="SHA-1 fingerprints of the issuer's certificate, one per line.")


class SAMLProviderForm(forms.Form):
    name = forms.CharField(label="Provider name", max_length=128, help_text=r"1 to 128 characters from [\w._-].")
    metadata = forms.FileField(label="Metadata document", help_text="The XML metadata your IdP publishes.")


class SignInOptionForm(forms.Form):
    label = forms.CharField(label="Button label", max_length=64, help_text='Shown as "Sign in with <label>".')
    client_id = forms.CharField(label="Console client ID", max_length=255, required=False,
                                help_text="OIDC: the client registered at the IdP for this console (one of the "
                                          "provider's audiences). Its redirect URI is shown below.")
    sign_in_url = forms.URLField(label="IdP sign-in URL", required=False, max_length=1024, assume_scheme="https",
                                 help_text="SAML: the IdP's start page for this application.")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class IdentityProviderListView(ConsoleView):
    nav = "identity-providers"

    def get(self, request: HttpRequest) -> HttpResponse:
        oidc = oidc_providers.list_open_id_connect_providers(caller=self.caller)
        saml = saml_providers.list_saml_providers(caller=self.caller)
        shown = {option.provider.arn for option in sign_in.sign_in_providers(self.caller.account_id)}
        return self.render("console/federation/list.html", {
            "providers": [{"arn": p.arn, "name": p.url, "kind": "OpenID Connect", "created": p.create_date,
                           "on_sign_in": p.arn in shown} for p in oidc]
            + [{"arn": p.arn, "name": p.name, "kind": "SAML", "created": p.create_date, "on_sign_in": p.arn in shown,
                "valid_until": p.valid_until} for p in saml],
            "may_create_oidc": self.may_create("iam:CreateOpenIDConnectProvider", "oidc-provider"),
            "may_create_saml": self.may_create("iam:CreateSAMLProvider", "saml-provider"),
        })


class OIDCProviderCreateView(ConsoleView):
    nav = "identity-providers"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/federation/create_oidc.html", {"form": OIDCProviderForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OIDCProviderForm(request.POST)
        discovery = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                if request.POST.get("action") == "fetch":
                    discovery = oidc_providers.discovery_preview(caller=self.caller, url=data["url"])
                else:
                    provider = oidc_providers.create_open_id_connect_provider(
                        caller=self.caller, url=data["url"], client_id_list=_lines(data["client_ids"]),
                        thumbprint_list=_lines(data["thumbprints"]))
                    messages.success(request, f"Identity provider {provider.url} added.")
                    return redirect(reverse("console:identity-provider", args=[provider.arn]))
            except IAMError as error:
                if error.code == "AccessDenied":
                    raise
                apply_error(form, error)
        return self.render("console/federation/create_oidc.html", {"form": form, "discovery": discovery},
                           status=200 if form.is_valid() and not form.errors else 400)


class SAMLProviderCreateView(ConsoleView):
    nav = "identity-providers"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("console/federation/create_saml.html", {"form": SAMLProviderForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SAMLProviderForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["metadata"]
            document = upload.read(METADATA_UPLOAD_MAX + 1)
            try:
                if len(document) > METADATA_UPLOAD_MAX:
                    form.add_error("metadata", f"The metadata document is larger than {METADATA_UPLOAD_MAX} bytes.")
                else:
                    provider = saml_providers.create_saml_provider(
                        caller=self.caller, name=form.cleaned_data["name"],
                        saml_metadata_document=document.decode("utf-8"))
                    messages.success(request, f"Identity provider {provider.name} added.")
                    return redirect(reverse("console:identity-provider", args=[provider.arn]))
            except UnicodeDecodeError:
                form.add_error("metadata", "The metadata document is not UTF-8 text.")
            except IAMError as error:
                if error.code == "AccessDenied":
                    raise
                apply_error(form, error, {"InvalidInput": "metadata", "ValidationError": "metadata"})
        return self.render("console/federation/create_saml.html", {"form": form}, status=400)


class IdentityProviderDetailView(ConsoleView):
    nav = "identity-providers"

    def _provider(self, arn: str):
        if ":saml-provider/" in arn:
            return saml_providers.get_saml_provider(caller=self.caller, saml_provider_arn=arn)
        return oidc_providers.get_open_id_connect_provider(caller=self.caller, open_id_connect_provider_arn=arn)

    def get(self, request: HttpRequest, arn: str) -> HttpResponse:
        return self._page(arn)

    def post(self, request: HttpRequest, arn: str) -> HttpResponse:
        action = request.POST.get("action", "")
        form = None
        try:
            if action == "delete":
                if ":saml-provider/" in arn:
                    saml_providers.delete_saml_provider(caller=self.caller, saml_provider_arn=arn)
                else:
                    oidc_providers.delete_open_id_connect_provider(caller=self.caller,
                                                                   open_id_connect_provider_arn=arn)
                messages.success(request, "Identity provider deleted.")
                return redirect("console:identity-providers")
            if action == "hide":
                sign_in.remove_console_sign_in_provider(caller=self.caller, provider_arn=arn)
                messages.success(request, "The provider no longer shows on the sign-in page.")
                return redirect(reverse("console:identity-provider", args=[arn]))
            if action == "show":
                form = SignInOptionForm(request.POST)
                if form.is_valid():
                    sign_in.set_console_sign_in_provider(caller=self.caller, provider_arn=arn, **form.cleaned_data)
                    messages.success(request, "The provider shows on the sign-in page.")
                    return redirect(reverse("console:identity-provider", args=[arn]))
        except IAMError as error:
            if error.code == "AccessDenied":
                raise
            if form is None:
                messages.error(request, f"{error.code}: {error.message}")
            else:
                apply_error(form, error)
        return self._page(arn, form=form, status=400)

    def _page(self, arn: str, *, form: SignInOptionForm | None = None, status: int = 200) -> HttpResponse:
        provider = self._provider(arn)
        option = next((o for o in sign_in.sign_in_providers(self.caller.account_id)
                       if o.provider.arn == provider.arn), None)
        initial = {"label": option.label, "client_id": option.client_id, "sign_in_url": option.sign_in_url} \
            if option else {"label": getattr(provider, "name", None) or provider.url.split("/")[0]}
        roles = [role for role in list_roles(caller=self.caller, max_items=1000).items
                 if provider.arn in role.assume_role_policy_document]
        return self.render("console/federation/detail.html", {
            "provider": provider, "is_saml": ":saml-provider/" in provider.arn, "trusting_roles": roles,
            "option": option, "form": form or SignInOptionForm(initial=initial),
            "redirect_uri": self.request.build_absolute_uri(reverse("console:federated-callback")),
            "acs_url": self.request.build_absolute_uri(reverse("console:saml-acs")),
        }, status=status)
