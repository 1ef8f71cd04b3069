"""Forms of the organization's pages: plain input checks; Organizations' rules are the services'."""

from __future__ import annotations

from django import forms

from iam_console.console.forms import ConsoleForm
from iam_console.console.policy_forms import DocumentField

POLICY_TYPES = [("SERVICE_CONTROL_POLICY", "Service control policies (SCPs)"),
                ("RESOURCE_CONTROL_POLICY", "Resource control policies (RCPs)")]
UNIT_NAME_MAX = 128  # AWS: an OU's name is 1 to 128 characters
ACCOUNT_NAME_MAX = 50
EMAIL_MAX = 64
ROLE_NAME_MAX = 64


def _node_choices(tree) -> list[tuple[str, str]]:
    """The root and every OU, indented by depth, as the destinations of a new OU or a move."""
    return [(tree.root.id, "Root"), *((unit.id, f"{'— ' * unit.depth}{unit.name}") for unit in tree.units)]


class CreateUnitForm(ConsoleForm):
    name = forms.CharField(label="Name of the new OU", max_length=UNIT_NAME_MAX)
    parent_id = forms.ChoiceField(label="Under")

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_id"].choices = _node_choices(tree)


class RenameUnitForm(ConsoleForm):
    name = forms.CharField(label="Name", max_length=UNIT_NAME_MAX)


class MoveAccountForm(ConsoleForm):
    account_id = forms.ChoiceField(label="Account")
    destination_id = forms.ChoiceField(label="Move to")

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account_id"].choices = [(node.id, f"{node.name} ({node.id})") for node in tree.accounts]
        self.fields["destination_id"].choices = _node_choices(tree)


class PolicyTypeForm(ConsoleForm):
    policy_type = forms.ChoiceField(choices=POLICY_TYPES)
    action = forms.ChoiceField(choices=[("enable", "Enable"), ("disable", "Disable")])


class CreateAccountForm(ConsoleForm):
    account_name = forms.CharField(label="Account name", max_length=ACCOUNT_NAME_MAX,
                                   help_text="Up to 50 characters, shown in the organization's tree.")
    email = forms.EmailField(label="E-mail address of the account's owner", max_length=EMAIL_MAX,
                             help_text="Each account has its own address: no two accounts of the directory share "
                                       "one.")
    role_name = forms.CharField(label="Access role name", max_length=ROLE_NAME_MAX, required=False,
                                initial="OrganizationAccountAccessRole",
                                help_text="The role made in the new account, trusting this management account: "
                                          "how you reach it at first (Switch role).")


GUARDRAIL_START = {
    "SERVICE_CONTROL_POLICY": '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n'
                              '            "Effect": "Deny",\n            "Action": "",\n'
                              '            "Resource": "*"\n        }\n    ]\n}',
    "RESOURCE_CONTROL_POLICY": '{\n    "Version": "2012-10-17",\n    "Statement": [\n        {\n'
                               '            "Effect": "Deny",\n            "Principal": "*",\n'
                               '            "Action": "",\n            "Resource": "*"\n        }\n    ]\n}',
}
GUARDRAIL_MAX = 5120  # AWS: an SCP or RCP is at most 5,120 characters


class GuardrailPolicyForm(ConsoleForm):
    name = forms.CharField(label="Policy name", max_length=128)
    description = forms.CharField(label="Description", max_length=512, required=False)
    document = DocumentField(max_length=GUARDRAIL_MAX, help_text="At most 5,120 characters.")


class AttachForm(ConsoleForm):
    target_id = forms.ChoiceField(label="Target (root, OU or account)")

    def __init__(self, *args, tree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_id"].choices = [
            *_node_choices(tree), *((node.id, f"Account {node.name} ({node.id})") for node in tree.accounts)]
