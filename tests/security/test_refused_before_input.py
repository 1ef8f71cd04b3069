"""A caller who may not act is refused before its input is examined: the operation frame answers AccessDenied,
not the operation's own error, whenever an operation fails before it has authorized anything and the caller's
policies allow its action on no resource. Every declared operation takes part, by construction."""

from __future__ import annotations

import importlib
import json
import pkgutil

import pytest

from audit.models import AuditEvent
from directory.services import inline
from iam_console.errors import AccessDenied, InvalidInput
from iam_console.operations import declared_operations, iam_operation
from policies.authorization import Caller, authorize_caller
from policies.language import lookup_action

pytestmark = pytest.mark.django_db

# Actions of AWS services the directory answers for, outside the iam and sts catalogue.
OTHER_AWS_ACTIONS = {"account:GetAccountInformation"}


@iam_operation("CreateSAMLProvider")
def _checks_its_input_first(*, caller: Caller, document: str) -> None:
    raise InvalidInput(f"{document} is not metadata")


@iam_operation("GetSessionToken", event_source="sts.amazonaws.com", needs_permission=False)
def _needs_no_permission(*, caller: Caller) -> None:
    raise InvalidInput("always wrong")


@iam_operation("CreateSAMLProvider")
def _authorizes_then_checks(*, caller: Caller) -> None:
    authorize_caller(caller, "iam:CreateSAMLProvider", "arn:aws:iam::123456789012:saml-provider/Only")
    raise InvalidInput("bad metadata")


def test_a_caller_with_no_permission_gets_access_denied_not_the_input_error(make_user):
    nobody = Caller(principal=make_user("nobody"))
    with pytest.raises(AccessDenied, match="iam:CreateSAMLProvider because no identity-based policy allows"):
        _checks_its_input_first(caller=nobody, document="<x/>")
    event = AuditEvent.objects.get(event_name="CreateSAMLProvider")
    assert event.error_code == "AccessDenied"


def test_a_caller_allowed_the_action_somewhere_learns_what_is_wrong(make_user, root_caller):
    make_user("partial")
    inline.put_user_policy(caller=root_caller, user_name="partial", policy_name="one", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Create*",
                                                 "Resource": "arn:aws:iam::123456789012:saml-provider/Only"}]}))
    from directory.models import User

    partial = Caller(principal=User.objects.get(user_name="partial"))
    with pytest.raises(InvalidInput):
        _checks_its_input_first(caller=partial, document="<x/>")
    with pytest.raises(InvalidInput):
        _authorizes_then_checks(caller=partial)


def test_root_and_operations_that_need_no_permission_keep_their_own_errors(root_caller, make_user):
    with pytest.raises(InvalidInput):
        _checks_its_input_first(caller=root_caller, document="<x/>")
    with pytest.raises(InvalidInput):
        _needs_no_permission(caller=Caller(principal=make_user("nobody")))


def test_a_deny_all_boundary_refuses_first_too(make_user, root_caller):
    from directory.services import boundaries
    from policies.services import managed

    policy = managed.create_policy(caller=root_caller, policy_name="nothing", policy_document=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    make_user("bounded", policies=("arn:aws:iam::aws:policy/IAMFullAccess",))
    boundaries.put_user_permissions_boundary(caller=root_caller, user_name="bounded", permissions_boundary=policy.arn)
    from directory.models import User

    with pytest.raises(AccessDenied):
        _checks_its_input_first(caller=Caller(principal=User.objects.get(user_name="bounded")), document="<x/>")


def _import_every_service_module() -> None:
    for package_name in ("directory", "policies", "sts", "audit", "identitystore", "identitycenter", "organizations",
                         "evidence", "analyzers", "accounts"):
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)


def test_every_declared_operation_is_authorized_as_an_action_policies_can_name():
    """The frame refuses by the operation's action: it must be the action the operation authorizes, one that a
    policy can grant (a misnamed action would refuse everybody)."""
    _import_every_service_module()
    operations = [op for op in declared_operations() if not op.function.startswith("tests.")]
    assert len(operations) >= 150
    # Operations open to anyone by nature (a portal sign-in, accepting an invitation) are never refused by action.
    unknown = sorted({f"{op.function}: {op.action}" for op in operations if op.needs_permission
                      and lookup_action(op.action) is None and op.action not in OTHER_AWS_ACTIONS})
    assert unknown == []
