"""Tags on analyzers and archive rules, with AWS's limits."""

from __future__ import annotations

from collections.abc import Mapping

from analyzers.errors import invalid

MAX_TAGS = 50


def check_tags(tags: object, field: str = "tags") -> dict[str, str]:
    if tags is None:
        return {}
    if not isinstance(tags, Mapping):
        raise invalid(field, "tags must be a map of tag keys to values.")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            raise invalid(field, "A tag key is 1 to 128 characters and does not begin with aws:.")
        if not isinstance(value, str) or len(value) > 256:
            raise invalid(field, f"The value of tag {key} must be 0 to 256 characters.")
    return dict(tags)


def merged(existing: Mapping[str, str], added: Mapping[str, str]) -> dict[str, str]:
    tags = {**existing, **check_tags(added)}
    if len(tags) > MAX_TAGS:
        raise invalid("tags", f"A resource takes at most {MAX_TAGS} tags.")
    return tags
