"""The asynchronous operations: ProvisionPermissionSet, CreateAccountAssignment and DeleteAccountAssignment start a
status IN_PROGRESS and a job; the Celery worker runs the job (run_operation) and the status ends SUCCEEDED or
FAILED with AWS's FailureReason. Statuses are listed and described as AWS does."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from iam_console.callers import Caller
from iam_console.operations import iam_operation
from identitycenter.access import EVENT_SOURCE, instance_for, page, permission_set_for
from identitycenter.errors import ResourceNotFoundException, ValidationException
from identitycenter.models import AccountAssignment, Instance, OperationStatus, PermissionSet, ProvisionedRole
from identitycenter.services.provisioning import ProvisioningFailure, provision, remove_roles
from identitystore.models import WorkforceGroup, WorkforceUser

logger = logging.getLogger(__name__)
Kind, Status = OperationStatus.Kind, OperationStatus.Status
# A job whose message was lost (the broker was out when it was published) is queued again after this long.
REQUEUE_AFTER = timedelta(minutes=2)


def _enqueue(request_id: uuid.UUID) -> None:
    def publish() -> None:
        from identitycenter.tasks import run_operation  # tasks import this module

        try:
            run_operation.delay(str(request_id))
        except Exception as error:  # noqa: BLE001 - kombu, redis-py and socket errors alike: the broker is out
            logger.warning("Identity Center job %s could not be queued (%s); the sweep queues it again", request_id,
                           type(error).__name__)

    transaction.on_commit(publish)


def _start(instance: Instance, kind: str, permission_set: PermissionSet, **fields: str) -> OperationStatus:
    status = OperationStatus.objects.create(instance=instance, kind=kind, permission_set_arn=permission_set.arn,
                                            **fields)
    _enqueue(status.request_id)
    return status


def _member_account(instance: Instance, account_id: str) -> Account:
    """An account of the directory: every account is the management account's or a member of its organization (a
    closed one is taken here, and its job fails as AWS's does)."""
    account = Account.objects.filter(pk=account_id).first()
    if account is None:
        raise ValidationException(f"The account {account_id} is not a member of the organization.")
    return account


def _principal_exists(instance: Instance, principal_type: str, principal_id: str) -> None:
    model, column = (WorkforceUser, "user_id") if principal_type == "USER" else (WorkforceGroup, "group_id")
    if not model.objects.filter(store_id=instance.store_id, **{column: principal_id}).exists():
        raise ResourceNotFoundException(f"The {principal_type.lower()} {principal_id} is not in the identity store.")


# --- starting them ----------------------------------------------------------------------------------------------
@iam_operation("ProvisionPermissionSet", event_source=EVENT_SOURCE)
def provision_permission_set(*, caller: Caller, instance_arn: str, permission_set_arn: str, target_type: str,
                             target_id: str | None = None) -> OperationStatus:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "ProvisionPermissionSet")
    if target_type == "AWS_ACCOUNT":
        if not target_id:
            raise ValidationException("TargetId is required when TargetType is AWS_ACCOUNT.")
        _member_account(found.instance, target_id)
    elif target_id:
        raise ValidationException("TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.")
    return _start(found.instance, Kind.PROVISION, found, target_id=target_id or "")


def _assignment_start(caller: Caller, kind: str, action: str, instance_arn: str, target_id: str, target_type: str,
                      permission_set_arn: str, principal_type: str, principal_id: str) -> OperationStatus:
    found = permission_set_for(caller, instance_arn, permission_set_arn, action)
    if target_type != "AWS_ACCOUNT":
        raise ValidationException("TargetType must be AWS_ACCOUNT.")
    _member_account(found.instance, target_id)
    if kind == Kind.CREATE_ASSIGNMENT:
        _principal_exists(found.instance, principal_type, principal_id)
    return _start(found.instance, kind, found, target_id=target_id, principal_type=principal_type,
                  principal_id=principal_id)


@iam_operation("CreateAccountAssignment", event_source=EVENT_SOURCE)
def create_account_assignment(*, caller: Caller, instance_arn: str, target_id: str, target_type: str,
                              permission_set_arn: str, principal_type: str, principal_id: str) -> OperationStatus:
    return _assignment_start(caller, Kind.CREATE_ASSIGNMENT, "CreateAccountAssignment", instance_arn, target_id,
                             target_type, permission_set_arn, principal_type, principal_id)


@iam_operation("DeleteAccountAssignment", event_source=EVENT_SOURCE)
def delete_account_assignment(*, caller: Caller, instance_arn: str, target_id: str, target_type: str,
                              permission_set_arn: str, principal_type: str, principal_id: str) -> OperationStatus:
    return _assignment_start(caller, Kind.DELETE_ASSIGNMENT, "DeleteAccountAssignment", instance_arn, target_id,
                             target_type, permission_set_arn, principal_type, principal_id)


# --- running them (the worker) ----------------------------------------------------------------------------------
def _run(status: OperationStatus) -> None:
    """The job's work; ProvisioningFailure for AWS's FAILED outcomes."""
    instance_id, ps_id = status.permission_set_arn.rsplit("/", 2)[-2:]
    permission_set = PermissionSet.objects.filter(instance_id=instance_id, ps_id=ps_id).first()
    if permission_set is None:
        raise ProvisioningFailure("The permission set no longer exists.")
    if status.kind == Kind.PROVISION:
        accounts = Account.objects.filter(sso_roles__permission_set=permission_set) if not status.target_id \
            else Account.objects.filter(pk=status.target_id)
        failures = []
        for account in accounts:
            try:
                provision(permission_set, account)
            except ProvisioningFailure as failure:
                failures.append(failure.reason)
        if failures:
            raise ProvisioningFailure(failures[0])
        return
    account = Account.objects.get(pk=status.target_id)
    key = {"permission_set": permission_set, "account": account, "principal_type": status.principal_type,
           "principal_id": status.principal_id}
    if status.kind == Kind.CREATE_ASSIGNMENT:
        provision(permission_set, account)
        # An assignment made twice is one assignment: the second insert is a no-op, in the same round trip.
        AccountAssignment.objects.bulk_create([AccountAssignment(instance_id=instance_id, **key)],
                                              ignore_conflicts=True)
    else:
        AccountAssignment.objects.filter(**key).delete()
        # The role goes with the set's last assignment in the account, as in AWS.
        if not AccountAssignment.objects.filter(permission_set=permission_set, account=account).exists():
            remove_roles(permission_set, [account.pk])


def run_operation(request_id: str) -> str:
    """Run one job to its end (a second delivery of a finished job does nothing); returns its final status."""
    with transaction.atomic():
        status = OperationStatus.objects.select_for_update().filter(pk=request_id).first()
        if status is None or status.status != Status.IN_PROGRESS:
            return status.status if status else "MISSING"
        try:
            with transaction.atomic():
                _run(status)
            status.status = Status.SUCCEEDED
        except ProvisioningFailure as failure:
            status.status, status.failure_reason = Status.FAILED, failure.reason[:1024]
        status.save(update_fields=["status", "failure_reason"])
        return status.status


def requeue_pending() -> int:
    """Queue again every job still IN_PROGRESS long after it started (its message may be lost)."""
    stale = list(OperationStatus.objects.filter(status=Status.IN_PROGRESS,
                                                created_at__lt=timezone.now() - REQUEUE_AFTER)
                 .values_list("request_id", flat=True)[:1000])
    for request_id in stale:
        with transaction.atomic():
            _enqueue(request_id)
    return len(stale)


# --- their statuses ---------------------------------------------------------------------------------------------
def _status(caller: Caller, instance_arn: str, request_id: str, kind: str, action: str) -> OperationStatus:
    instance = instance_for(caller, instance_arn, action)
    try:
        key = uuid.UUID(request_id)
    except ValueError:
        raise ValidationException("The request id is not valid.") from None
    found = OperationStatus.objects.filter(instance=instance, kind=kind, pk=key).first()
    if found is None:
        raise ResourceNotFoundException(f"Request {request_id} not found.")
    return found


@iam_operation("DescribePermissionSetProvisioningStatus", event_source=EVENT_SOURCE)
def describe_provisioning_status(*, caller: Caller, instance_arn: str, request_id: str) -> OperationStatus:
    return _status(caller, instance_arn, request_id, Kind.PROVISION, "DescribePermissionSetProvisioningStatus")


@iam_operation("DescribeAccountAssignmentCreationStatus", event_source=EVENT_SOURCE)
def describe_creation_status(*, caller: Caller, instance_arn: str, request_id: str) -> OperationStatus:
    return _status(caller, instance_arn, request_id, Kind.CREATE_ASSIGNMENT, "DescribeAccountAssignmentCreationStatus")


@iam_operation("DescribeAccountAssignmentDeletionStatus", event_source=EVENT_SOURCE)
def describe_deletion_status(*, caller: Caller, instance_arn: str, request_id: str) -> OperationStatus:
    return _status(caller, instance_arn, request_id, Kind.DELETE_ASSIGNMENT, "DescribeAccountAssignmentDeletionStatus")


def _list(caller: Caller, instance_arn: str, kind: str, action: str, status: str | None, next_token: str | None,
          max_results: int | None) -> tuple[list[OperationStatus], str | None]:
    instance = instance_for(caller, instance_arn, action)
    rows = OperationStatus.objects.filter(instance=instance, kind=kind)
    if status:
        rows = rows.filter(status=status)
    return page(rows, key="request_id", next_token=next_token, max_results=max_results)


@iam_operation("ListPermissionSetProvisioningStatus", event_source=EVENT_SOURCE)
def list_provisioning_statuses(*, caller: Caller, instance_arn: str, status: str | None = None,
                               next_token: str | None = None, max_results: int | None = None):
    return _list(caller, instance_arn, Kind.PROVISION, "ListPermissionSetProvisioningStatus", status, next_token,
                 max_results)


@iam_operation("ListAccountAssignmentCreationStatus", event_source=EVENT_SOURCE)
def list_creation_statuses(*, caller: Caller, instance_arn: str, status: str | None = None,
                           next_token: str | None = None, max_results: int | None = None):
    return _list(caller, instance_arn, Kind.CREATE_ASSIGNMENT, "ListAccountAssignmentCreationStatus", status,
                 next_token, max_results)


@iam_operation("ListAccountAssignmentDeletionStatus", event_source=EVENT_SOURCE)
def list_deletion_statuses(*, caller: Caller, instance_arn: str, status: str | None = None,
                           next_token: str | None = None, max_results: int | None = None):
    return _list(caller, instance_arn, Kind.DELETE_ASSIGNMENT, "ListAccountAssignmentDeletionStatus", status,
                 next_token, max_results)


# --- what is provisioned and assigned ---------------------------------------------------------------------------
@iam_operation("ListAccountAssignments", event_source=EVENT_SOURCE)
def list_account_assignments(*, caller: Caller, instance_arn: str, account_id: str, permission_set_arn: str,
                             next_token: str | None = None, max_results: int | None = None):
    found = permission_set_for(caller, instance_arn, permission_set_arn, "ListAccountAssignments")
    return page(AccountAssignment.objects.filter(permission_set=found, account_id=account_id), key="id",
                next_token=next_token, max_results=max_results)


@iam_operation("ListAccountAssignmentsForPrincipal", event_source=EVENT_SOURCE)
def list_assignments_for_principal(*, caller: Caller, instance_arn: str, principal_id: str, principal_type: str,
                                   account_id: str | None = None, next_token: str | None = None,
                                   max_results: int | None = None):
    instance = instance_for(caller, instance_arn, "ListAccountAssignmentsForPrincipal")
    rows = AccountAssignment.objects.filter(instance=instance, principal_type=principal_type,
                                            principal_id=principal_id).select_related("permission_set")
    if account_id:
        rows = rows.filter(account_id=account_id)
    return page(rows, key="id", next_token=next_token, max_results=max_results)


def _latest(rows, provisioning_status: str | None):
    from django.db.models import F

    if provisioning_status == "LATEST_PERMISSION_SET_PROVISIONED":
        return rows.filter(revision=F("permission_set__revision"))
    if provisioning_status == "LATEST_PERMISSION_SET_NOT_PROVISIONED":
        return rows.exclude(revision=F("permission_set__revision"))
    return rows


@iam_operation("ListAccountsForProvisionedPermissionSet", event_source=EVENT_SOURCE)
def list_accounts_for_provisioned(*, caller: Caller, instance_arn: str, permission_set_arn: str,
                                  provisioning_status: str | None = None, next_token: str | None = None,
                                  max_results: int | None = None) -> tuple[list[str], str | None]:
    found = permission_set_for(caller, instance_arn, permission_set_arn, "ListAccountsForProvisionedPermissionSet")
    rows, token = page(_latest(ProvisionedRole.objects.filter(permission_set=found), provisioning_status),
                       key="account_id", next_token=next_token, max_results=max_results)
    return [row.account_id for row in rows], token


@iam_operation("ListPermissionSetsProvisionedToAccount", event_source=EVENT_SOURCE)
def list_permission_sets_provisioned_to_account(*, caller: Caller, instance_arn: str, account_id: str,
                                                provisioning_status: str | None = None,
                                                next_token: str | None = None, max_results: int | None = None
                                                ) -> tuple[list[str], str | None]:
    instance = instance_for(caller, instance_arn, "ListPermissionSetsProvisionedToAccount")
    rows = ProvisionedRole.objects.filter(permission_set__instance=instance, account_id=account_id)
    rows, token = page(_latest(rows, provisioning_status).select_related("permission_set"), key="id",
                       next_token=next_token, max_results=max_results)
    return [row.permission_set.arn for row in rows], token
