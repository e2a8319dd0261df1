from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.accounts.models import User
from onedoor.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it. It is shown only once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user called {options['username']!r}")
        self.stdout.write(api_token_create(user=user, name=options["name"]))
