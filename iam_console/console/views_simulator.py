"""The policy simulator: a user's policies or pasted documents, actions × resources, context; who decided."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from directory.services import inline, simulation
from directory.services.user_search import search_users
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.policy_forms import SimulatorForm
from iam_console.errors import AccessDenied, IAMError
from policies.language import ALLOWED, EXPLICIT_DENY

USER_CHOICES = 200
DECISIONS = {ALLOWED: ("Allowed", "allowed"), EXPLICIT_DENY: ("Denied explicitly", "denied"),
             "implicitDeny": ("Denied (no statement allows)", "implicit")}
SIMULATOR_FIELDS = {"user": "user_name", "policy_input_list": "documents", "action_names": "actions",
                    "resource_arns": "resources", "context value": "context", "context_entries": "context"}


def _statement_link(statement: dict, *, user_name: str, inline_names: set[str]) -> str | None:
    """Where the editor shows the deciding statement: the policy page at its line, or the inline editor."""
    policy, line = statement["policy"], statement.get("line") or ""
    if policy.startswith("arn:") and ":policy/" in policy:
        return f"{reverse('console:policy-detail', args=[policy])}?line={line}"
    if statement.get("group_name"):
        return f"{reverse('console:group-inline-policy', args=[statement['group_name'], policy])}?line={line}"
    if user_name and statement.get("source_policy_type") == "user" and policy.lower() in inline_names:
        return f"{reverse('console:user-inline-policy', args=[user_name, policy])}?line={line}"
    return None


def decorate(results, *, user_name: str = "", inline_names: set[str] = frozenset()) -> list[dict]:
    rows = []
    for result in results:
        label, css = DECISIONS.get(result.decision, (result.decision, "implicit"))
        statements = [{**s, "link": _statement_link(s, user_name=user_name, inline_names=inline_names)}
                      for s in result.matched_statements]
        rows.append({"action": result.action, "resource": result.resource, "decision": result.decision,
                     "label": label, "css": css, "statements": statements})
    return rows


class SimulatorView(ConsoleView):
    nav = "simulator"

    def get(self, request: HttpRequest) -> HttpResponse:
        initial = {"mode": "user", "user_name": request.GET.get("user", "")}
        return self._page(SimulatorForm(initial=initial))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SimulatorForm(request.POST)
        if not form.is_valid():
            return self._page(form, status=400)
        entries = form.context_entries()
        if form.errors:
            return self._page(form, status=400)
        data = form.cleaned_data
        try:
            if data["mode"] == "user":
                user_name = data["user_name"].strip()
                results = simulation.simulate_principal_policy(
                    caller=self.caller, user_name=user_name, action_names=form.split_actions(),
                    resource_arns=form.split_resources(), context_entries=entries)
                rows = decorate(results, user_name=user_name, inline_names=self._inline_names(user_name))
            else:
                results = simulation.simulate_custom_policy(
                    caller=self.caller, policy_input_list=form.split_documents(), action_names=form.split_actions(),
                    resource_arns=form.split_resources(), context_entries=entries)
                rows = decorate(results)
        except AccessDenied:
            raise
        except IAMError as error:
            apply_error(form, error, SIMULATOR_FIELDS | {"NoSuchEntity": "user_name"})
            return self._page(form, status=400)
        summary = {css: sum(1 for row in rows if row["css"] == css) for css in ("allowed", "denied", "implicit")}
        return self._page(form, {"rows": rows, "summary": summary})

    def _inline_names(self, user_name: str) -> set[str]:
        try:
            return {name.lower() for name in inline.list_user_policies(caller=self.caller, user_name=user_name)}
        except AccessDenied:
            return set()

    def _page(self, form: SimulatorForm, extra: dict | None = None, status: int = 200) -> HttpResponse:
        try:
            user_names = [u.user_name for u in search_users(caller=self.caller, max_items=USER_CHOICES).items]
        except AccessDenied:
            user_names = []
        return self.render("console/policies/simulator.html", {"form": form, "user_names": user_names,
                                                               **(extra or {})}, status=status)
