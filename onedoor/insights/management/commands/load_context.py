import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from onedoor.core.context import origin
from onedoor.insights.context.area_files import load_area_context
from onedoor.insights.context.errors import ContextDataError


class Command(BaseCommand):
    help = "Load the LSOA lookup and Census comparators the area file names (its `context` key)."

    def handle(self, *args: Any, **options: Any) -> None:
        with origin("cli", "load_context"):
            try:
                loaded, problems = load_area_context()
            except ContextDataError as exc:
                raise CommandError(str(exc)) from None
        for p in problems:
            self.stderr.write(p)
        self.stdout.write(json.dumps(loaded))
