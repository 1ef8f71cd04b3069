"""Two accounts holding the same names: the management account and a member, each with a user alice (key, tag,
inline policy, group team), a role deployer, a customer managed policy shared and a password policy; the
management account also holds entities named only-in-a. And a snapshot of everything the management account
holds, to prove another account's caller changed none of it."""

from __future__ import annotations

import json

from accounts.models import Account
from audit.models import AuditEvent
from directory.models import (
    AccessKey,
    Group,
    GroupMembership,
    PasswordPolicy,
    Role,
    RolePolicyAttachment,
    User,
    UserInlinePolicy,
    UserPolicyAttachment,
    UserTag,
)
from directory.services import (
    account_aliases,
    attachments,
    groups,
    inline,
    password_policy,
    role_policies,
    roles,
    tags,
)
from policies.authorization import Caller
from policies.models import ManagedPolicy, PolicyVersion
from policies.services import managed
from tests.conftest import create_test_user

MANAGEMENT = "123456789012"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]})


def trust_of(account_id: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}, "Action": "sts:AssumeRole"}]})


def furnish(caller: Caller, *, path: str, minimum_length: int) -> None:
    """The same names in any account: only the path and the password policy tell them apart."""
    account = caller.account_id
    create_test_user(caller, "alice", path=path, access_key=True, policies=(READ_ONLY,))
    tags.tag_user(caller=caller, user_name="alice", tags=[{"key": "home", "value": account}])
    inline.put_user_policy(caller=caller, user_name="alice", policy_name="inline", policy_document=DOCUMENT)
    groups.create_group(caller=caller, group_name="team", path=path)
    groups.add_user_to_group(caller=caller, group_name="team", user_name="alice")
    roles.create_role(caller=caller, role_name="deployer", path=path, assume_role_policy_document=trust_of(account))
    managed.create_policy(caller=caller, policy_name="shared", path=path, policy_document=DOCUMENT)
    role_policies.attach_role_policy(caller=caller, role_name="deployer",
                                     policy_arn=f"arn:aws:iam::{account}:policy{path}shared")
    attachments.attach_group_policy(caller=caller, group_name="team", policy_arn=ADMIN)
    password_policy.update_account_password_policy(caller=caller, minimum_password_length=minimum_length)


def furnish_only_in_management(caller: Caller) -> dict[str, str]:
    """Entities of the management account no member has: the names another account must not detect."""
    user = create_test_user(caller, "only-in-a", access_key=True)
    groups.create_group(caller=caller, group_name="only-in-a")
    roles.create_role(caller=caller, role_name="only-in-a", assume_role_policy_document=trust_of(MANAGEMENT))
    managed.create_policy(caller=caller, policy_name="only-in-a", policy_document=DOCUMENT)
    inline.put_user_policy(caller=caller, user_name="only-in-a", policy_name="only-in-a", policy_document=DOCUMENT)
    account_aliases.create_account_alias(caller=caller, account_alias="management-corp")
    return {"user_name": "only-in-a", "group_name": "only-in-a", "role_name": "only-in-a",
            "access_key_id": user.test_access_key[0], "policy_name": "only-in-a",
            "policy_arn": f"arn:aws:iam::{MANAGEMENT}:policy/only-in-a", "version_id": "v1"}


# Names nobody holds, in the same shapes.
NOBODY = {"user_name": "nobody-here", "group_name": "no-such-group", "role_name": "no-such-role",
          "access_key_id": "AKIAAAAAAAAAAAAAAAAA", "policy_name": "no-such-policy",
          "policy_arn": f"arn:aws:iam::{MANAGEMENT}:policy/no-such-policy", "version_id": "v1"}


def snapshot(account_id: str = MANAGEMENT) -> dict:
    """Everything an account holds, as plain values: equal before and after means nothing changed."""
    def rows(model, *fields, **where):
        return sorted(model.objects.filter(**where).values_list(*fields))

    return {
        "account": rows(Account, "id", "name", "email", "alias", "status", pk=account_id),
        "users": rows(User, "user_id", "user_name", "path", "password", "locked_until", account_id=account_id),
        "keys": rows(AccessKey, "access_key_id", "status", user__account_id=account_id),
        "tags": rows(UserTag, "user__user_name", "key", "value", user__account_id=account_id),
        "inline": rows(UserInlinePolicy, "user__user_name", "policy_name", "document", user__account_id=account_id),
        "groups": rows(Group, "group_id", "group_name", "path", account_id=account_id),
        "members": rows(GroupMembership, "group__group_name", "user__user_name", group__account_id=account_id),
        "roles": rows(Role, "role_id", "role_name", "assume_role_policy_document", "max_session_duration",
                      account_id=account_id),
        "policies": rows(ManagedPolicy, "policy_id", "policy_name", "default_version_id", account_id=account_id),
        "versions": rows(PolicyVersion, "policy__policy_name", "version_id", policy__account_id=account_id),
        "user_attachments": rows(UserPolicyAttachment, "user__user_name", "policy__policy_id",
                                 user__account_id=account_id),
        "role_attachments": rows(RolePolicyAttachment, "role__role_name", "policy__policy_id",
                                 role__account_id=account_id),
        "password_policy": rows(PasswordPolicy, "minimum_password_length", account_id=account_id),
    }


def mentions_account(text: str, account_id: str = MANAGEMENT, *, by_id: bool = True) -> bool:
    """Whether an answer names the account (unless not `by_id`: a request naming it may hear it echoed), or any
    unique id of what it holds."""
    ids = [*([account_id] if by_id else []), *User.objects.filter(account_id=account_id).values_list("user_id", flat=True),
           *Group.objects.filter(account_id=account_id).values_list("group_id", flat=True),
           *Role.objects.filter(account_id=account_id).values_list("role_id", flat=True),
           *ManagedPolicy.objects.filter(account_id=account_id).values_list("policy_id", flat=True),
           *AccessKey.objects.filter(user__account_id=account_id).values_list("access_key_id", flat=True)]
    return any(value in text for value in ids)


def events_of(account_id: str) -> int:
    return AuditEvent.objects.filter(account_id=account_id).count()
