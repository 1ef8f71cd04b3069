"""The top bar's search: users, groups, roles and policies by name or ARN, as you type."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from directory.services.user_search import search_groups, search_roles, search_users
from iam_console.console.mixins import ConsoleView
from iam_console.console.policy_search import search_policies
from iam_console.errors import AccessDenied, ValidationError

PER_KIND = 5


def name_of(query: str) -> str:
    """What to match names against: an ARN's last segment (arn:aws:iam::123456789012:user/eng/alice -> alice)."""
    query = query.strip()
    if query.lower().startswith("arn:"):
        return query.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    return query


class SearchView(ConsoleView):
    """htmx asks for the result list; without JavaScript the same URL is a page of results."""

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "")[:2048]
        results = self.results(name_of(query)) if query.strip() else []
        if request.htmx:
            return self.render("console/_search_results.html", {"results": results, "q": query})
        return self.render("console/search.html", {"results": results, "q": query})

    def results(self, name: str) -> list[dict]:
        """Up to PER_KIND of each kind the caller may list; kinds they may not list are left out."""
        found: list[dict] = []
        searches = [
            ("User", lambda: search_users(caller=self.caller, name_contains=name, max_items=PER_KIND).items,
             lambda u: (u.user_name, reverse("console:user-detail", args=[u.user_name]), u.arn)),
            ("Group", lambda: search_groups(caller=self.caller, name_contains=name, max_items=PER_KIND).items,
             lambda g: (g.group_name, reverse("console:group-detail", args=[g.group_name]), g.arn)),
            ("Role", lambda: search_roles(caller=self.caller, name_contains=name, max_items=PER_KIND).items,
             lambda r: (r.role_name, reverse("console:role-detail", args=[r.role_name]), r.arn)),
            ("Policy", lambda: search_policies(caller=self.caller, name_contains=name, max_items=PER_KIND).items,
             lambda p: (p.policy_name, reverse("console:policy-detail", args=[p.arn]), p.arn)),
        ]
        for kind, search, describe in searches:
            try:
                items = search()
            except (AccessDenied, ValidationError):
                continue
            for item in items:
                label, url, arn = describe(item)
                found.append({"kind": kind, "name": label, "url": url, "arn": arn})
        return found
