"""Generate policy, from a user's or role's page: choose the period, review the generated policy against what the
principal holds today, and save it as a customer managed policy or a new version of one, in one step."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from analyzers.services import policy_generation as generation
from directory.services import roles, users
from evidence import last_accessed
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.console.policy_generation_forms import GenerationPeriodForm, SaveGeneratedPolicyForm
from iam_console.console.views_policies import POLICY_FIELDS, detail_url
from iam_console.errors import AccessDenied, IAMError
from iam_console.operations import atomic_operations
from policies.services import managed

PERIOD_FIELDS = {"cloudTrailDetails.startTime": "start_date", "cloudTrailDetails.endTime": "end_date"}
SAVE_FIELDS = {**POLICY_FIELDS, "versions": "policy_arn", "NoSuchEntity": "policy_arn",
               "Policy is outside": "policy_arn"}


def _principal_page(arn: str) -> tuple[str, str, str]:
    """(kind, name, its console page) of a user's or role's ARN."""
    kind = "role" if ":role/" in arn else "user"
    name = arn.rsplit("/", 1)[-1]
    return kind, name, reverse(f"console:{kind}-detail", args=[name])


class GeneratePolicyView(ConsoleView):
    """The period form of a user's (kind="user") or role's page; sending it starts the generation."""

    kind = "user"

    @property
    def nav(self) -> str:
        return f"{self.kind}s"

    def _principal(self, name: str):
        if self.kind == "role":
            return roles.get_role(caller=self.caller, role_name=name)
        return users.get_user(caller=self.caller, user_name=name)

    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        return self._page(self._principal(name), GenerationPeriodForm())

    def post(self, request: HttpRequest, name: str) -> HttpResponse:
        principal = self._principal(name)
        form = GenerationPeriodForm(request.POST)
        if not form.is_valid():
            return self._page(principal, form, status=400)
        try:
            job = generation.start_policy_generation(caller=self.caller, principal_arn=principal.arn,
                                                     cloud_trail_details=form.period())
        except AccessDenied:
            raise
        except IAMError as error:
            fields = getattr(error, "fields", {}) or {}
            target = PERIOD_FIELDS.get(next(iter(fields.get("fieldList") or [{}])).get("name"))
            form.add_error(target, plain_message(error))
            return self._page(principal, form, status=400)
        return redirect("console:policy-generation", job_id=job.job_id)

    def _page(self, principal, form, status: int = 200) -> HttpResponse:
        kind, name, page = _principal_page(principal.arn)
        return self.render("console/policy_generation/start.html", {
            "form": form, "principal": principal, "kind": kind, "name": name, "principal_page": page},
            status=status)


def generated_actions(policy_text: str) -> set[str]:
    return {action for statement in json.loads(policy_text)["Statement"] for action in statement["Action"]}


def held_actions(advisor: list[dict]) -> set[str]:
    return {f"{service['ServiceNamespace']}:{action['ActionName']}" for service in advisor
            for action in service.get("TrackedActionsLastAccessed", [])}


def diff_rows(generated: set[str], held: set[str]) -> list[dict]:
    """Every action of either side: kept (held and used), removed (held, not used), added (used, held no more)."""
    rows = []
    for action in sorted(generated | held, key=lambda name: (name.split(":")[0], name.lower())):
        change = "kept" if action in generated and action in held else ("added" if action in generated
                                                                         else "removed")
        rows.append({"action": action, "change": change})
    return rows


def _part_name(name: str, index: int, parts: int) -> str:
    """The first part keeps the name; the others are numbered after it."""
    return name if parts == 1 or index == 1 else f"{name}-{index}"


class PolicyGenerationView(ConsoleView):
    """A generation's page: its status until it is done, then the policy, its diff, and the save form."""

    def get(self, request: HttpRequest, job_id: str) -> HttpResponse:
        return self._page(job_id, None)

    def post(self, request: HttpRequest, job_id: str) -> HttpResponse:
        answer = generation.get_generated_policy(caller=self.caller, job_id=str(job_id))
        texts = answer["generatedPolicyResult"]["generatedPolicies"]
        form = SaveGeneratedPolicyForm(request.POST, policies=self._policies())
        if not texts:
            form.add_error(None, "There is no generated policy to save.")
        if not form.is_valid():
            return self._page(job_id, form, answer, status=400)
        data, texts = form.cleaned_data, [item["policy"] for item in texts]
        if data["target"] == "version" and len(texts) > 1:
            form.add_error("target", f"The generated policy is {len(texts)} policies (one would exceed a managed "
                                     "policy's size): save them as new policies.")
            return self._page(job_id, form, answer, status=400)
        try:
            if data["target"] == "new":
                with atomic_operations():  # every part or none
                    made = [managed.create_policy(caller=self.caller, policy_name=_part_name(data["policy_name"],
                                                                                             index, len(texts)),
                                                  path=data["path"] or "/", policy_document=text)
                            for index, text in enumerate(texts, start=1)]
                policy = made[0]
                messages.success(request, f"Created from the generated policy: "
                                          f"{', '.join(made_policy.policy_name for made_policy in made)}.")
            else:
                version = managed.create_policy_version(caller=self.caller, policy_arn=data["policy_arn"],
                                                        policy_document=texts[0],
                                                        set_as_default=data["set_as_default"])
                policy = version.policy
                messages.success(request, f"Version {version.version_id} of {policy.policy_name} created from the "
                                          "generated policy.")
        except AccessDenied:
            raise
        except IAMError as error:
            apply_error(form, error, SAVE_FIELDS)
            return self._page(job_id, form, answer, status=400)
        return redirect(detail_url(policy))

    def _policies(self) -> list[tuple[str, str]]:
        try:
            page = managed.list_policies(caller=self.caller, scope="Local", max_items=1000)
        except AccessDenied:
            return []
        return [(policy.arn, policy.policy_name) for policy in page.items]

    def _page(self, job_id: str, form, answer: dict | None = None, status: int = 200) -> HttpResponse:
        answer = answer or generation.get_generated_policy(caller=self.caller, job_id=str(job_id))
        result = answer["generatedPolicyResult"]
        principal_arn = result["properties"]["principalArn"]
        kind, name, page = _principal_page(principal_arn)
        texts = [item["policy"] for item in result["generatedPolicies"]]
        context = {"job": answer["jobDetails"], "properties": result["properties"], "policies": texts,
                   "kind": kind, "name": name, "principal_page": page, "nav": f"{kind}s"}
        if answer["jobDetails"]["status"] == "SUCCEEDED":
            try:
                held = held_actions(last_accessed.access_advisor(caller=self.caller, arn=principal_arn))
            except AccessDenied:
                held = None
            generated = {action for text in texts for action in generated_actions(text)}
            rows = diff_rows(generated, held) if held is not None else []
            context.update(held_known=held is not None, diff=rows,
                           counts={change: sum(row["change"] == change for row in rows)
                                   for change in ("kept", "removed", "added")},
                           form=form or SaveGeneratedPolicyForm(policies=self._policies()))
        return self.render("console/policy_generation/job.html", context, status=status)
