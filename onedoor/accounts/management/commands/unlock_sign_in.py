from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.accounts.services import sign_in_unlock
from onedoor.core.context import origin


class Command(BaseCommand):
    help = (
        "Lift a sign-in lockout before its cool-off ends: for an account (give its username, as the person "
        "types it) or for a client address (--address). The unlock is audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default="", help="The username of the locked account")
        parser.add_argument("--address", default="", help="A client address that is locked out")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["username"] and not options["address"]:
            raise CommandError("Give the username of the locked account, or --address for a locked address")
        with origin("cli"):
            removed = sign_in_unlock(username=options["username"], address=options["address"])
        if removed:
            self.stdout.write(f"Removed {removed} failure record{'s' if removed != 1 else ''}: sign-in is unlocked.")
        else:
            self.stdout.write("Nothing was locked: there were no recent failed sign-ins for that.")
