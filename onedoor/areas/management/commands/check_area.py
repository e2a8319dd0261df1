from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.files import area_path, check_area


class Command(BaseCommand):
    help = "Check an area file (a bundled area's name, or a path) without writing anything; print every problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", nargs="?", default=settings.ONEDOOR_AREA, help="name or path (ONEDOOR_AREA)")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = check_area(options["area"])
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {options['area']}")
        self.stdout.write(f"{area_path(options['area'])}: a valid area file")
