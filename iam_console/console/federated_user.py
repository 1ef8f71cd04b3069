"""A console session signed in through an identity provider: no IAM user, only a role session.

The middleware gives such a browser session a `request.user` that is authenticated but is no IAM user; every page
acts as the role session (the switched-role machinery), and when that session ends the sign-in ends with it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

FEDERATED_SESSION_KEY = "iam_federated_identity"


class FederatedConsoleUser:
    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_root = False
    is_superuser = False
    is_federated = True
    password_reset_required = False
    has_login_profile = False
    password_last_changed = None
    pk = None
    id = None

    def __init__(self, state: dict) -> None:
        self.user_name = state["session_name"]
        self.subject = state["subject"]
        self.provider_arn = state["provider_arn"]
        self.arn = f"{state['provider_arn']}:{state['subject']}"
        self.account_id = state["provider_arn"].split(":")[4]  # the provider's account, where its roles live

    def __str__(self) -> str:
        return self.arn


class FederatedUserMiddleware:
    """After authentication: a browser signed in through an IdP is its federated identity."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        state = session.get(FEDERATED_SESSION_KEY) if session is not None else None
        if state and not request.user.is_authenticated:
            request.user = FederatedConsoleUser(state)
        return self.get_response(request)


def is_federated(user: object) -> bool:
    return getattr(user, "is_federated", False)
