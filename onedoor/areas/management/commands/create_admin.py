"""The first administrator of a new area, with two-factor sign-in enrolled: the key is printed once."""

from base64 import b32encode
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from onedoor.accounts.models import Organisation, Role, User
from onedoor.accounts.services import totp_device_create, user_create
from onedoor.areas.files import AreaConfigError, read_area
from onedoor.core.context import origin


class Command(BaseCommand):
    help = (
        "Create an administrator for the loaded area (in its commissioner's organisation), enrol their "
        "authenticator app, and print its key once. Run after load_area. Sets no password: set it next with "
        "`manage.py changepassword <username>`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--area", default=settings.ONEDOOR_AREA, help="name or path (default: ONEDOOR_AREA)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            area = read_area(options["area"])
        except AreaConfigError as exc:
            raise CommandError(str(exc)) from exc
        slug = area["commissioner"].get("organisation")
        organisation = Organisation.objects.filter(slug=slug).first() if slug else None
        if organisation is None:
            raise CommandError("The area's commissioner organisation is not loaded: run `manage.py load_area` first.")
        if User.objects.filter(username=options["username"]).exists():
            raise CommandError(f"There is already a user called {options['username']!r}.")
        with origin("cli", "create_admin"), transaction.atomic():
            user = user_create(
                username=options["username"],
                role=Role.ADMINISTRATOR,
                organisation=organisation,
                email=options["email"],
                first_name=options["first_name"],
                last_name=options["last_name"],
            )
            device = totp_device_create(user=user)
        key = b32encode(bytes.fromhex(device.key)).decode()
        label = quote(f"OneDoor:{user.username}")
        self.stdout.write(f"Administrator {user.username!r} created for {area['name']} ({organisation.name}).")
        self.stdout.write("Two-factor key, shown this once: add it to an authenticator app now.")
        self.stdout.write(f"  key: {key}")
        self.stdout.write(f"  otpauth://totp/{label}?secret={key}&issuer=OneDoor")
        self.stdout.write(f"Next: manage.py changepassword {user.username}")
