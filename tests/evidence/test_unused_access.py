"""Unused access on the dashboard: roles and users older than the period with no allowed request in it, turning
used the moment they act (the entities' creation is moved back in time instead of the clock moved forward)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from directory.models import Role, User
from evidence.unused import unused_access_summary
from tests.query.conftest import QueryClient
from tests.sts.conftest import role_arn, trust, user_arn

READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


def _age(days: int) -> None:
    long_ago = timezone.now() - timedelta(days=days)
    User.objects.filter(is_superuser=False).update(create_date=long_ago)
    Role.objects.update(create_date=long_ago)


def test_old_entities_with_no_use_are_unused_until_they_act(make_user, make_role, root_caller, root_console, usage):
    alice = make_user("alice", access_key=True, policies=(READ_ONLY,))
    make_user("bob", access_key=True)
    make_role("reader", trust(user_arn("alice")), policies=(READ_ONLY,))
    young = unused_access_summary(caller=root_caller)
    assert (young.unused_roles, young.roles, young.unused_users, young.users) == (0, 0, 0, 0)  # too young

    _age(days=120)
    old = unused_access_summary(caller=root_caller)
    assert (old.unused_roles, old.roles, old.unused_users, old.users) == (1, 1, 2, 2)
    page = root_console.get("/").content.decode()
    assert 'id="stat-unused-roles">1<' in page and 'id="stat-unused-users">2<' in page

    assert QueryClient(*alice.test_access_key).call("ListUsers").status_code == 200
    assert QueryClient(*alice.test_access_key, service="sts").call(
        "AssumeRole", RoleArn=role_arn("reader"), RoleSessionName="s1").status_code == 200
    usage()  # the flush beat would make
    after = unused_access_summary(caller=root_caller)
    assert (after.unused_roles, after.unused_users) == (1, 1)  # alice acted; an assumed role unused until it acts


def test_a_denied_attempt_is_not_a_use(make_user, root_caller, usage):
    bob = make_user("bob", access_key=True)
    _age(days=120)
    assert QueryClient(*bob.test_access_key).call("ListUsers").status_code == 403
    usage()
    assert unused_access_summary(caller=root_caller).unused_users == 1
