"""The console's policy generation forms: the period to read, and where to save the generated policy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from iam_console.console.forms import ConsoleForm

DEFAULT_DAYS = 90


class GenerationPeriodForm(ConsoleForm):
    start_date = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="The first day (UTC) whose allowed requests are read.")
    end_date = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}),
                               help_text="The last day (UTC). At most 90 days after the first.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.now().date()
        self.fields["start_date"].initial = today - timedelta(days=DEFAULT_DAYS - 1)
        self.fields["end_date"].initial = today

    def period(self) -> dict:
        """cloudTrailDetails' startTime and endTime: from the first day's start to the last day's end (now, for
        today, so that the period never ends in the future)."""
        start: date = self.cleaned_data["start_date"]
        end: date = self.cleaned_data["end_date"]
        period = {"startTime": datetime.combine(start, time.min, tzinfo=UTC)}
        if end < timezone.now().date():
            period["endTime"] = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC) - timedelta(
                microseconds=1)
        return period


class SaveGeneratedPolicyForm(ConsoleForm):
    target = forms.ChoiceField(label="Save as", widget=forms.RadioSelect, initial="new",
                               choices=[("new", "A new customer managed policy"),
                                        ("version", "A new version of a customer managed policy")])
    policy_name = forms.CharField(label="Policy name", max_length=128, required=False,
                                  help_text="For a new policy: up to 128 letters, digits and +=,.@_-.")
    path = forms.CharField(label="Path", max_length=512, required=False, initial="/",
                           help_text="For a new policy. Optional: /division/team/.")
    policy_arn = forms.ChoiceField(label="Policy", required=False,
                                   help_text="For a new version: the customer managed policy to add it to.")
    set_as_default = forms.BooleanField(label="Set the new version as default", required=False, initial=True)

    def __init__(self, *args, policies: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["policy_arn"].choices = [("", "Choose a policy"), *policies]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("target") == "new" and not data.get("policy_name"):
            self.add_error("policy_name", "Name the new policy.")
        if data.get("target") == "version" and not data.get("policy_arn"):
            self.add_error("policy_arn", "Choose the policy to add a version to.")
        return data
