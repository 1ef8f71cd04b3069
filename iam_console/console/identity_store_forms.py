"""Forms of the identity store's console pages: a person, a group, a member to add."""

from __future__ import annotations

from django import forms

from iam_console.console.forms import ConsoleForm


class WorkforceUserForm(ConsoleForm):
    user_name = forms.CharField(label="User name", max_length=128,
                                help_text="Unique in the identity store; letters, digits and punctuation, no spaces.")
    display_name = forms.CharField(label="Display name", max_length=1024)
    given_name = forms.CharField(label="First name", max_length=1024, required=False)
    family_name = forms.CharField(label="Last name", max_length=1024, required=False)
    email = forms.EmailField(label="E-mail address", max_length=1024, required=False)


class WorkforceGroupForm(ConsoleForm):
    display_name = forms.CharField(label="Group name", max_length=1024)
    description = forms.CharField(label="Description", max_length=1024, required=False)


class MemberForm(ConsoleForm):
    user_name = forms.CharField(label="User name", max_length=128)
