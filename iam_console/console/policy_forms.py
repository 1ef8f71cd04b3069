"""Console forms for policies: create, new version, inline policies, boundaries and the simulator."""

from __future__ import annotations

from django import forms

from iam_console.console.forms import ConsoleForm
from policies.language import GLOBAL_CONDITION_KEYS

DOCUMENT_HELP = "The policy in IAM's JSON policy language. Checked as you type; saved only without errors."
NEW_POLICY_DOCUMENT = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Statement1",
      "Effect": "Allow",
      "Action": [],
      "Resource": []
    }
  ]
}"""


class DocumentField(forms.CharField):
    """The JSON document: a plain textarea that the editor script enhances and mirrors into."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Policy document")
        kwargs.setdefault("help_text", DOCUMENT_HELP)
        kwargs.setdefault("strip", False)  # positions in findings must match what the user typed
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 20, "spellcheck": "false", "class": "code",
                                                          "autocomplete": "off", "data-policy-document": ""}))
        super().__init__(**kwargs)


class PolicyCreateForm(ConsoleForm):
    policy_name = forms.CharField(label="Policy name", max_length=128,
                                  help_text="Up to 128 letters, digits and +=,.@_-. Cannot be changed later.")
    path = forms.CharField(label="Path", required=False, max_length=512, initial="/",
                           help_text="Optional, for organising policies: /division/team/.")
    description = forms.CharField(label="Description", required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Optional. Cannot be changed later.")
    document = DocumentField(initial=NEW_POLICY_DOCUMENT)


class PolicyVersionForm(ConsoleForm):
    document = DocumentField()
    set_as_default = forms.BooleanField(label="Set as default version", required=False, initial=True,
                                        help_text="The default version is the one in effect for every entity "
                                                  "the policy is attached to.")


class InlinePolicyForm(ConsoleForm):
    policy_name = forms.CharField(label="Policy name", max_length=128,
                                  help_text="Up to 128 letters, digits and +=,.@_-.")
    document = DocumentField(initial=NEW_POLICY_DOCUMENT)


CONTEXT_TYPES = [("string", "String"), ("stringList", "String list"), ("numeric", "Numeric"),
                 ("boolean", "Boolean"), ("ip", "IP address"), ("date", "Date"), ("ipList", "IP list")]
_TYPE_FOR_KEY = {"Bool": "boolean", "Numeric": "numeric", "IPAddress": "ip", "Date": "date",
                 "ArrayOfString": "stringList"}


def context_type_for(key: str) -> str:
    """The simulator type of a global condition key (aws:SourceIp is an IP address, and so on)."""
    kind = GLOBAL_CONDITION_KEYS.get(key)
    if kind is None and "/" in key:
        kind = GLOBAL_CONDITION_KEYS.get(key.split("/", 1)[0] + "/")
    return _TYPE_FOR_KEY.get(kind or "", "string")


class SimulatorForm(ConsoleForm):
    MODES = [("user", "An IAM user's policies"), ("custom", "Policies I paste")]

    mode = forms.ChoiceField(label="Simulate", choices=MODES, initial="user", widget=forms.RadioSelect)
    user_name = forms.CharField(label="User", required=False, max_length=64,
                                widget=forms.TextInput(attrs={"list": "simulator-users", "autocomplete": "off"}),
                                help_text="The user's identity policies, group policies and permissions boundary.")
    documents = forms.CharField(
        label="Policy documents", required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "class": "code"}),
        help_text="One or more identity policies; separate documents with a line holding only ---.")
    actions = forms.CharField(label="Actions", widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false"}),
                              help_text="One per line or comma-separated, such as iam:CreateUser.")
    resources = forms.CharField(label="Resource ARNs", required=False,
                                widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
                                help_text="One per line. Empty means \"*\".")
    context = forms.CharField(
        label="Context keys", required=False, widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One per line as key = value, several values comma-separated: aws:SourceIp = 203.0.113.10, "
                  "aws:MultiFactorAuthPresent = true.")

    def clean(self):
        data = super().clean()
        if data.get("mode") == "user" and not data.get("user_name", "").strip():
            self.add_error("user_name", "Choose the user whose policies to simulate.")
        if data.get("mode") == "custom" and not data.get("documents", "").strip():
            self.add_error("documents", "Paste at least one policy document.")
        return data

    def split_actions(self) -> list[str]:
        raw = self.cleaned_data["actions"].replace(",", "\n")
        return [line.strip() for line in raw.splitlines() if line.strip()]

    def split_resources(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["resources"].splitlines() if line.strip()] or ["*"]

    def split_documents(self) -> list[str]:
        chunks, current = [], []
        for line in self.cleaned_data["documents"].splitlines():
            if line.strip() == "---":
                chunks.append("\n".join(current))
                current = []
            else:
                current.append(line)
        chunks.append("\n".join(current))
        return [chunk for chunk in chunks if chunk.strip()]

    def context_entries(self) -> list[dict]:
        entries = []
        for number, line in enumerate(self.cleaned_data["context"].splitlines(), start=1):
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            key = key.strip()
            if not sep or not key:
                self.add_error("context", f"Line {number}: write key = value.")
                continue
            kind = context_type_for(key)
            values = [v.strip() for v in value.split(",") if v.strip()]
            if len(values) > 1 and not kind.endswith("List"):
                kind += "List"
            entries.append({"context_key_name": key, "context_key_values": values, "context_key_type": kind})
        return entries
