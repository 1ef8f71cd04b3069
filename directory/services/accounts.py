"""Member accounts: creating one (its root user, with no password, and the role the management account reaches
it through), and giving its root user a password when it must sign in.

As with AWS's centralised root access, a member account's root user has no password: people reach the account
through OrganizationAccountAccessRole or its own IAM users. The Organizations API's CreateAccount calls
create_account; only the management account may.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.errors import EmailAlreadyExists
from accounts.models import ACCOUNT_EMAIL_MAX, ACCOUNT_NAME_MAX, Account
from accounts.selectors import account_by_id, is_management_account, new_account_id
from accounts.tree import join_organization
from directory.models import Role, RolePolicyAttachment, User
from directory.passwords import check_password_against_policy, effective_policy, generate_password
from directory.services.login_profiles import _set_password
from iam_console import identifiers
from iam_console.errors import AccessDenied, EntityAlreadyExists, NoSuchEntity, ValidationError
from iam_console.operations import iam_operation
from iam_console.validation import validate_name
from policies.authorization import Caller, authorize_caller
from policies.models import ManagedPolicy

ORGANIZATIONS = "organizations.amazonaws.com"
ACCESS_ROLE_NAME = "OrganizationAccountAccessRole"
ACCESS_ROLE_POLICY = "AdministratorAccess"
# Organizations' own patterns: a name of printable ASCII, an address with one @ and a dot after it.
_NAME = re.compile(r"[\u0020-\u007E]{1,50}")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")


@dataclass(frozen=True)
class CreatedAccount:
    account: Account
    root: User
    access_role: Role

    def audit_elements(self) -> dict:
        return {"accountId": self.account.pk, "accountName": self.account.name,
                "roleArn": self.access_role.arn}


def _require_management(caller: Caller, action: str) -> None:
    if not is_management_account(caller.account_id):
        raise AccessDenied(f"User: {caller.principal.arn} is not authorized to perform: {action}: only the "
                           "organization's management account may.")


def access_role_trust_policy(management_account_id: str) -> str:
    """The trust policy of OrganizationAccountAccessRole: the management account, whose identity policies then
    decide who of its principals may come in (AWS's own document)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": identifiers.root_arn(management_account_id)},
        "Action": "sts:AssumeRole"}]}, indent=2)


@iam_operation("CreateAccount", event_source=ORGANIZATIONS, action="organizations:CreateAccount")
def create_account(*, caller: Caller, account_name: str, email: str,
                   role_name: str = ACCESS_ROLE_NAME) -> CreatedAccount:
    """A new ACTIVE member account with a fresh random 12-digit id: its root user (no password) and the role
    `role_name` trusting the management account, with AdministratorAccess attached."""
    _require_management(caller, "organizations:CreateAccount")
    authorize_caller(caller, "organizations:CreateAccount", "*")
    return make_member_account(management_account_id=caller.account_id, account_name=account_name, email=email,
                               role_name=role_name)


def make_member_account(*, management_account_id: str, account_name: str, email: str,
                        role_name: str = ACCESS_ROLE_NAME) -> CreatedAccount:
    """The writes of CreateAccount, for the operations that have authorized it (this one, and the Organizations
    API's, which also records the account in the organization)."""
    if not isinstance(account_name, str) or not _NAME.fullmatch(account_name):
        raise ValidationError(f"AccountName must be 1 to {ACCOUNT_NAME_MAX} printable characters.")
    if not isinstance(email, str) or not 6 <= len(email) <= ACCOUNT_EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise ValidationError(f"Email must be an e-mail address of 6 to {ACCOUNT_EMAIL_MAX} characters.")
    validate_name(role_name, field="roleName", max_length=64)
    administrator = ManagedPolicy.objects.filter(is_system=True, policy_name_key=ACCESS_ROLE_POLICY.lower()).first()
    if administrator is None:
        raise NoSuchEntity(f"The AWS-managed policy {ACCESS_ROLE_POLICY} is not installed: run migrate.")
    if Account.objects.filter(email_key=email.lower()).exists():
        raise EmailAlreadyExists(f"An account with the e-mail address {email} already exists.")
    try:
        with transaction.atomic():
            account = Account.objects.create(id=new_account_id(), name=account_name, email=email,
                                             joined_method=Account.JoinedMethod.CREATED)
        join_organization(account)
    except IntegrityError:  # the same address registered at the same moment (an id clash is astronomically rare)
        raise EmailAlreadyExists(f"An account with the e-mail address {email} already exists.") from None
    root = User(account=account, user_name=settings.IAM_ROOT_USER_NAME, is_superuser=True,
                user_id=identifiers.new_unique_id(identifiers.USER_ID_PREFIX))
    root.set_unusable_password()
    root.save()
    role = Role.objects.create(account=account, role_name=role_name, path="/",
                               role_id=identifiers.new_unique_id(identifiers.ROLE_ID_PREFIX),
                               description="Full access for the organization's management account.",
                               assume_role_policy_document=access_role_trust_policy(management_account_id))
    RolePolicyAttachment.objects.create(role=role, policy=administrator)
    return CreatedAccount(account=account, root=root, access_role=role)


@iam_operation("GetAccountInformation", event_source="account.amazonaws.com",
               action="account:GetAccountInformation")
def get_account_information(*, caller: Caller) -> Account:
    """The caller's own account: its id, name, alias, e-mail and status (AWS's account:GetAccountInformation)."""
    authorize_caller(caller, "account:GetAccountInformation", "*")
    return Account.objects.get(pk=caller.account_id)


@dataclass(frozen=True)
class RootPassword:
    """The member root user's new password: shown once, never stored (only its Argon2 hash is)."""

    account_id: str
    user_name: str
    password: str

    def audit_elements(self) -> dict:
        return {"accountId": self.account_id, "userName": self.user_name}


@iam_operation("CreateLoginProfile", action="iam:CreateLoginProfile")
def create_member_root_password(*, caller: Caller, account_id: str, password: str | None = None) -> RootPassword:
    """Give a member account's root user a password (generated unless given), so that it can sign in to its
    account's console. Only the management account may, as iam:CreateLoginProfile on the member's root ARN; a
    root user that already has a password keeps it (EntityAlreadyExists)."""
    _require_management(caller, "iam:CreateLoginProfile")
    account = account_by_id(account_id)
    if account is None or account.is_management:
        raise NoSuchEntity(f"The account {str(account_id)[:12]} is not a member account of this organization.")
    root = User.objects.select_for_update().filter(account=account, is_superuser=True).first()
    if root is None:
        raise NoSuchEntity(f"The account {account.pk} has no root user.")
    authorize_caller(caller, "iam:CreateLoginProfile", root.arn)
    if root.has_usable_password() and root.has_login_profile:
        raise EntityAlreadyExists(f"The root user of account {account.pk} already has a password.")
    policy = effective_policy(account.pk)
    chosen = password or generate_password(policy)
    check_password_against_policy(chosen, user=root, policy=policy)
    _set_password(root, chosen)
    root.login_profile_create_date = root.password_last_changed
    root.save(update_fields=["password", "password_last_changed", "login_profile_create_date"])
    return RootPassword(account_id=account.pk, user_name=root.user_name, password=chosen)
