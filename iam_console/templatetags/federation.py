"""{% federated_sign_in_buttons %}: the "Sign in with <provider>" buttons an administrator chose to show."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("console/federation/_sign_in_buttons.html")
def federated_sign_in_buttons() -> dict:
    from sts.federation.console import sign_in_providers

    return {"options": sign_in_providers()}
