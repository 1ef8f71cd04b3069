"""What the authorization API may tell a service about a principal: each detail behind the permission that reads it.

A service asks the directory for decisions (iam:AuthorizeRequest); that permission answers the decision and
nothing more. Anything else about the principal is what the same service could read through IAM's own API, and
only with the permission IAM would ask for it:

- identity (user_id, user_name; role_name, role_session_name): iam:GetUser on the user, iam:GetRole on a
  session's role. Verify tells the signer's identity without it: the signer is the service's own caller.
- tags: iam:ListUserTags on the user, iam:ListRoleTags on a session's role (the session's tags).
- groups: iam:ListGroupsForUser on the user.
- a matched statement: iam:GetPolicy on its managed policy, iam:GetUserPolicy / iam:GetGroupPolicy /
  iam:GetRolePolicy on the principal, group or role holding its inline policy. A session policy's statements are
  never named (IAM has no action that reads them); the service's own resource policy's always are.

What the ARN itself says (arn, account, type) is always answered, for principals that exist and for those that
do not alike, so that the answer's shape never tells which. IAM's API reads only the caller's own account, so
nothing beyond the ARN is told about a principal of another account (but the signer's identity, which verifying
its signature tells), and none of its policies' statements are named.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from directory.models import Group, GroupMembership, User, UserTag
from iam_console import identifiers
from policies.authorization import Caller, permission_checker
from policies.loading import PolicySet, PolicySource
from sts.principals import RoleSessionPrincipal, UserSessionPrincipal

Principal = User | RoleSessionPrincipal | UserSessionPrincipal


@dataclass(frozen=True)
class UnknownPrincipal:
    """A principal ARN that names nobody in this directory: decided like a principal with no policies."""

    arn: str
    kind: str  # "user", "root" or "assumed-role", as the ARN reads
    account_id: str = ""  # the account the ARN names
    unique_id: str = ""
    principal_name: str = ""
    is_root: bool = False

    def policy_set(self) -> PolicySet:
        return PolicySet()


def _kind(principal: Principal | UnknownPrincipal) -> str:
    if isinstance(principal, UnknownPrincipal):
        return principal.kind
    if isinstance(principal, RoleSessionPrincipal):
        return "assumed-role"
    return "root" if principal.is_root else "user"


def _user_of(principal: Principal) -> User | None:
    if isinstance(principal, UserSessionPrincipal):
        return principal.user
    return principal if isinstance(principal, User) and not principal.is_root else None


class Disclosure:
    """What one asking service may be told, its own policies loaded once for every question it raises."""

    def __init__(self, service_caller: Caller) -> None:
        self._account_id = service_caller.account_id
        self._may = permission_checker(service_caller)
        self._group_arns: dict[str, str] = {}

    def _readable(self, principal: Principal | UnknownPrincipal) -> bool:
        """IAM's API reads only the caller's own account: nothing of another account's principal is readable."""
        return not isinstance(principal, UnknownPrincipal) and principal.account_id == self._account_id

    def principal(self, principal: Principal | UnknownPrincipal, *, signer: bool = False) -> dict[str, Any]:
        """The principal as this service may see it; `signer` for the caller of the request the service received,
        whose identity (not its tags or groups) the service learns by verifying its signature."""
        described: dict[str, Any] = {"arn": principal.arn, "account": principal.account_id,
                                     "type": _kind(principal)}
        if isinstance(principal, UnknownPrincipal):
            return described
        readable = self._readable(principal)
        if principal.is_root:
            # Another account's root is told exactly as an account the directory does not hold.
            return {**described, "user_id": principal.account_id} if signer or readable else described
        if isinstance(principal, RoleSessionPrincipal):
            role_arn = principal.role.arn
            if signer or (readable and self._may("iam:GetRole", role_arn)):
                described.update(user_id=principal.unique_id, role_name=principal.role.role_name,
                                 role_session_name=principal.session.session_name)
            if readable and self._may("iam:ListRoleTags", role_arn):
                described["tags"] = principal.principal_tags()
            return described
        user = _user_of(principal)
        assert user is not None
        if signer or (readable and self._may("iam:GetUser", user.arn)):
            described.update(user_id=user.user_id, user_name=user.user_name)
        if not readable:
            return described
        if self._may("iam:ListUserTags", user.arn):
            described["tags"] = dict(UserTag.objects.filter(user_id=user.pk).values_list("key", "value"))
        if self._may("iam:ListGroupsForUser", user.arn):
            described["groups"] = sorted(GroupMembership.objects.filter(user_id=user.pk)
                                         .values_list("group__group_name", flat=True))
        return described

    def statements(self, principal: Principal | UnknownPrincipal, matched: Iterable,
                   sources: Mapping[str, PolicySource]) -> list[dict[str, Any]]:
        """The matched statements this service may read, as the API names them; the others are left out."""
        out = []
        readable = self._readable(principal)
        for statement in matched:
            source = sources.get(statement.policy_id)
            resource_policy = statement.source == "resource"
            if not resource_policy and (not readable or source is None or not self._may_read(principal, source)):
                continue
            out.append({"effect": statement.effect, "sid": statement.sid,
                        "statement_index": statement.statement_index, "line": statement.line,
                        "source": statement.source,
                        "source_policy_type": "resource" if resource_policy else source.source_policy_type,
                        "source_policy_name": source.name if source is not None else "",
                        "source_policy_arn": source.arn if source is not None else ""})
        return out

    def _may_read(self, principal: Principal | UnknownPrincipal, source: PolicySource) -> bool:
        if source.kind == "managed":
            return self._may("iam:GetPolicy", source.arn)
        if source.kind == "user-inline":
            user = _user_of(principal) if not isinstance(principal, UnknownPrincipal) else None
            return user is not None and self._may("iam:GetUserPolicy", user.arn)
        if source.kind == "group-inline":
            return self._may("iam:GetGroupPolicy", self._group_arn(source.group_name))
        if source.kind == "role-inline":
            return isinstance(principal, RoleSessionPrincipal) and self._may("iam:GetRolePolicy",
                                                                             principal.role.arn)
        return False  # session policies: no IAM action reads them

    def _group_arn(self, name: str) -> str:
        if name not in self._group_arns:
            path = Group.objects.filter(account_id=self._account_id, group_name=name) \
                .values_list("path", flat=True).first() or "/"
            self._group_arns[name] = identifiers.group_arn(self._account_id, path, name)
        return self._group_arns[name]
