from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.loader import AreaConfigError, load_area


class Command(BaseCommand):
    help = "Load an area's organisations, services and routing rules from onedoor/areas/<area>.json."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", nargs="?", default=settings.ONEDOOR_AREA)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put organisations, services and routing rules back exactly as the file says, undoing admin edits.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            counts = load_area(options["area"], reset=options["reset"])
        except AreaConfigError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
