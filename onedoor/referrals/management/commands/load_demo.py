from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onedoor.accounts.models import Role
from onedoor.areas.demo import DEMO_PASSWORD, demo_totp_base32, demo_users, load_demo


class Command(BaseCommand):
    help = "Load the demo users and synthetic referrals for the loaded area (once), and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=200)
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_demo(count=options["count"])
        if counts["referrals"]:
            self.stdout.write(f"Demo data: {counts['referrals']} synthetic referrals created.")
        if options["quiet"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo logins (every password is: {DEMO_PASSWORD})")
        self.stdout.write("Staff roles also need a two-factor code: run")
        self.stdout.write("  .venv/bin/python manage.py demo_otp USERNAME")
        self.stdout.write("or add the printed key to any authenticator app.")
        self.stdout.write("")
        for d in demo_users():
            key = "" if d.role == Role.REFERRER else f"  2FA key {demo_totp_base32(d.username)}"
            self.stdout.write(f"  {d.username:<17} {d.note}{key}")
