from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from onedoor.directory.loader import load_directory


class Command(BaseCommand):
    help = "Load the services directory from the seed file the area file names (run after load_area)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", nargs="?", default=settings.ONEDOOR_AREA, help="name or path (ONEDOOR_AREA)")
        parser.add_argument(
            "--reset", action="store_true", help="Rewrite seeded services' directory details, undoing admin edits."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_directory(options["area"], reset=options["reset"])
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
