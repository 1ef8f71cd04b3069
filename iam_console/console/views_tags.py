"""Editing the tags of a taggable entity (a user, a role): add or remove one, htmx or plain form post."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from iam_console.console.forms import TagForm
from iam_console.console.mixins import ConsoleView, apply_error
from iam_console.console.plain_errors import plain_message
from iam_console.errors import AccessDenied, IAMError

# Where a tag error belongs: AWS's messages name tags[0].key / tags[0].value.
TAG_FIELDS = {"].key": "key", "tag key": "key", "Duplicate tag key": "key", "].value": "value"}


class TagsView(ConsoleView):
    """Subclasses name the entity's services: `entity`, `tag`, `untag`, `list_tags`, and the URLs to go back to."""

    def entity(self, name: str): ...

    def tag(self, entity, tags: list[dict]) -> None: ...

    def untag(self, entity, keys: list[str]) -> None: ...

    def list_tags(self, entity) -> list: ...

    def tags_url(self, entity) -> str: ...

    def detail_url(self, entity) -> str: ...

    def post(self, request: HttpRequest, **route) -> HttpResponse:
        (name,) = route.values()  # the entity's name, as the route calls it (user_name, role_name)
        entity = self.entity(name)
        form, error = TagForm(), None
        try:
            if request.POST.get("action") == "remove":
                key = request.POST.get("key", "")
                self.untag(entity, [key])
                messages.success(request, f"Tag {key} removed.")
            else:
                form = TagForm(request.POST)
                if form.is_valid():
                    self.tag(entity, [{"Key": form.cleaned_data["key"], "Value": form.cleaned_data["value"]}])
                    messages.success(request, f"Tag {form.cleaned_data['key']} saved.")
                    form = TagForm()
        except AccessDenied:
            raise
        except IAMError as failure:
            if request.POST.get("action") != "remove" and form.is_bound:
                # Beside the field it concerns, in plain words; the form keeps what was typed.
                apply_error(form, failure, TAG_FIELDS)
            else:
                error = plain_message(failure)
        if request.htmx:
            return self.render("console/_tags.html", {"tags_url": self.tags_url(entity),
                                                      "tags": self.list_tags(entity), "tag_form": form,
                                                      "tag_error": error})  # htmx swaps only 2xx answers
        if form.is_bound and form.errors and not error:
            error = " ".join(message for messages_ in form.errors.values() for message in messages_)
        if error:
            messages.error(request, error)
        return redirect(self.detail_url(entity) + "?tab=tags")
