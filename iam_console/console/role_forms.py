"""Console forms for roles: the Switch role form and the create-role wizard (input checks only)."""

from __future__ import annotations

import json
import re

from django import forms

from iam_console import identifiers
from iam_console.console.forms import ConsoleForm
from iam_console.console.policy_forms import DocumentField

# AWS's Switch role palette: the colour names and the hex values its links carry (color=F2B0A9).
COLORS = {"red": "F2B0A9", "orange": "FBBF93", "yellow": "FAD791", "green": "B7CA9D", "blue": "99BCE3"}
DEFAULT_COLOR = "blue"
DURATIONS = [(900, "15 minutes"), (1800, "30 minutes"), (3600, "1 hour"), (7200, "2 hours"), (14400, "4 hours"),
             (28800, "8 hours"), (43200, "12 hours")]
DEFAULT_DURATION = 3600
DISPLAY_NAME_MAX = 64
# A role name as AWS's Switch role takes it: the role's path (without its outer slashes), then its name.
_ROLE_NAME = re.compile(r"(?:[\x21-\x2e\x30-\x7e]+/)*[\w+=,.@-]{1,64}", re.ASCII)


def normalise_color(value: object) -> str:
    """A palette colour name from a name or AWS's hex value; the default for anything else."""
    text = str(value or "").strip().lstrip("#").lower()
    if text in COLORS:
        return text
    for name, hex_value in COLORS.items():
        if text == hex_value.lower():
            return name
    return DEFAULT_COLOR


def role_arn_of(account_id: str, role_name: str) -> str:
    """The ARN of 'path/name' (or 'name') in the account."""
    *path, name = role_name.strip("/").split("/")
    prefix = "/" + "".join(f"{part}/" for part in path)
    return identifiers.role_arn(account_id, prefix, name)


_ACCOUNT_ALIAS = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


class SwitchRoleForm(ConsoleForm):
    account = forms.CharField(label="Account ID or alias", max_length=63,
                              help_text="The 12-digit account ID, or the account's alias: yours or another "
                                        "account's of this directory.",
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                            "autocapitalize": "none"}))
    role_name = forms.CharField(label="Role", max_length=576,
                                help_text="The role's name; if it has a path, the path then the name (path/name).",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    display_name = forms.CharField(label="Display name", max_length=DISPLAY_NAME_MAX, required=False,
                                   help_text="Shown in the bar while you act as the role. Defaults to "
                                             "role @ account.")
    color = forms.ChoiceField(label="Colour", choices=[(name, name.capitalize()) for name in COLORS],
                              initial=DEFAULT_COLOR, widget=forms.RadioSelect)
    duration_seconds = forms.TypedChoiceField(label="Session duration", choices=DURATIONS, coerce=int,
                                              initial=DEFAULT_DURATION,
                                              help_text="At most the role's maximum session duration.")
    token_code = forms.CharField(label="MFA code", required=False, max_length=6, min_length=6,
                                 help_text="Six digits from your MFA device, when the role requires MFA.",
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                               "pattern": "[0-9]{6}"}))

    def clean_account(self) -> str:
        account = self.cleaned_data["account"].strip()
        digits = account.replace("-", "")
        if digits.isdigit():
            if len(digits) != 12:
                raise forms.ValidationError("Enter a 12-digit account ID, or the account's alias.")
            return digits
        if not _ACCOUNT_ALIAS.fullmatch(account.lower()):
            raise forms.ValidationError("Enter a 12-digit account ID, or the account's alias (lower-case letters, "
                                        "digits and hyphens).")
        return account.lower()

    def clean_role_name(self) -> str:
        role_name = self.cleaned_data["role_name"].strip().strip("/")
        if not _ROLE_NAME.fullmatch(role_name):
            raise forms.ValidationError("Enter a role name (letters, digits and +=,.@_-), after its path if it "
                                        "has one: path/name.")
        return role_name

    def clean_token_code(self) -> str:
        code = self.cleaned_data["token_code"].strip()
        if code and not code.isdigit():
            raise forms.ValidationError("Enter the six digits your MFA device shows.")
        return code

    def clean(self):
        data = super().clean()
        if data.get("role_name") and not data.get("display_name"):
            data["display_name"] = f"{data['role_name'].rsplit('/', 1)[-1]} @ {data.get('account', '')}"[
                :DISPLAY_NAME_MAX]
        return data


# Trust policy templates offered by the create wizard; {account} and {user} are filled in.
TRUST_TEMPLATES = {
    "account": "Any principal of this account whose own policies allow sts:AssumeRole",
    "user": "One specific IAM user",
    "mfa": "Principals of this account that signed in with MFA",
    "external_id": "A third party that presents an external ID",
    "web_identity": "Web identity: tokens from an OpenID Connect provider (CI jobs, apps)",
    "saml": "SAML 2.0 federation: people signed in at the company IdP",
    "custom": "A custom trust policy",
}


def trust_template(kind: str, *, account_id: str, user_arn: str = "", external_id: str = "",
                   provider_arn: str = "") -> str:
    """A trust policy to start from, for a role of the account `account_id`."""
    root = identifiers.root_arn(account_id)
    statement: dict = {"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}
    if kind in ("web_identity", "saml"):
        from iam_console.console.federation_templates import federated_trust_statement

        statement = federated_trust_statement(kind, provider_arn, account_id=account_id)
    elif kind == "user":
        statement["Principal"] = {"AWS": user_arn or identifiers.user_arn(account_id, "/", "USER-NAME")}
    elif kind == "mfa":
        statement["Condition"] = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    elif kind == "external_id":
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id or "EXTERNAL-ID"}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=2)


class RoleCreateForm(ConsoleForm):
    role_name = forms.CharField(label="Role name", max_length=64,
                                help_text="Up to 64 letters, digits and +=,.@_-. Names are unique regardless of case.")
    path = forms.CharField(label="Path", max_length=512, required=False, initial="/",
                           help_text="Optional, e.g. /engineering/. Starts and ends with a slash.")
    description = forms.CharField(label="Description", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    max_session_duration = forms.TypedChoiceField(
        label="Maximum session duration", coerce=int, initial=3600,
        choices=[(3600, "1 hour"), (7200, "2 hours"), (14400, "4 hours"), (21600, "6 hours"), (28800, "8 hours"),
                 (43200, "12 hours")])
    document = DocumentField(label="Trust policy", help_text="Who may assume the role: checked as a trust policy.")
    permissions_boundary = forms.ChoiceField(
        label="Permissions boundary", required=False,
        help_text="Optional: a managed policy that caps what the role's other policies can allow.")

    def __init__(self, *args, boundaries: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions_boundary"].choices = [("", "No boundary"), *boundaries]


class RoleEditForm(ConsoleForm):
    description = forms.CharField(label="Description", max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    max_session_duration = RoleCreateForm.base_fields["max_session_duration"]


class TrustPolicyForm(ConsoleForm):
    document = DocumentField(label="Trust policy", help_text="Who may assume the role: checked as a trust policy.")
