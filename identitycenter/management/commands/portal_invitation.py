"""Print a person's one-time access-portal invitation link (the operator acting as the directory itself)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.selectors import management_account_id
from iam_console.callers import Caller
from iam_console.errors import IAMError
from identitycenter.services.portal import create_invitation
from identitystore.models import WorkforceUser


class Command(BaseCommand):
    help = ("Print a one-time link (valid for seven days) with which a person of the identity store sets their "
            "access-portal password. --base-url is the directory's public URL.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user-name", required=True)
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, **options) -> None:
        account_id = management_account_id()
        user = WorkforceUser.objects.filter(store__account_id=account_id,
                                            user_name_key=options["user_name"].lower()).first()
        if user is None:
            raise CommandError(f"No person named {options['user_name']} in the identity store.")
        try:
            invitation = create_invitation(caller=Caller.system(account_id), user_id=user.user_id)
        except IAMError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(f"{options['base_url'].rstrip('/')}/start/invitation/{invitation.token}/")
