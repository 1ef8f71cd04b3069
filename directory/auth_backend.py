"""Django authentication backend: IAM user names are case-insensitive, and only users with a login profile sign in."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password

from directory.models import User
from directory.policy_sets import with_generation

# Hashing a throwaway password for unknown names keeps "no such user" as slow as "wrong password".
_DUMMY_HASH = None


def _dummy_check(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("not-a-real-password")
    User(password=_DUMMY_HASH).check_password(password)


class IAMUserBackend(BaseBackend):
    def authenticate(self, request, username: str | None = None, password: str | None = None, **kwargs):
        if not username or password is None:
            return None
        # Django's own sign-in path: `username` is "<account id>/<user name>" (User.natural_key). The console
        # signs in through directory.services.sign_in instead, which knows the account.
        account_id, _, name = username.rpartition("/")
        user = User.objects.filter(account_id=account_id, user_name_key=name.lower()).first() if account_id else None
        if user is None or not (user.has_login_profile or user.is_root):
            _dummy_check(password)
            return None
        return user if user.check_password(password) else None

    def get_user(self, user_id: int) -> User | None:
        """The signed-in user of a console request, with its account and the policy generation in the same query
        (directory.policy_sets), so that its policies come from the process's cache while they are unchanged."""
        return with_generation(User.objects.select_related("account").filter(pk=user_id)).first()
