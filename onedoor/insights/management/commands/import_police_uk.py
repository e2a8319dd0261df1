import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.current import force_codes
from onedoor.core.context import origin
from onedoor.insights.context.police_uk import police_uk_import


class Command(BaseCommand):
    help = (
        "Import data.police.uk street-level and outcomes files (any months, any of the area's forces) as counts. "
        "Prints what was wrong and what was replaced, then a JSON summary as the last line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["files"]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        with origin("cli", "import_police_uk"):
            summary = police_uk_import(
                files=((p.name, p.read_bytes()) for p in paths), area_forces=force_codes(), actor=None
            )
        for message in summary.messages:
            self.stderr.write(message)
        for notice in summary.notices:
            self.stdout.write(notice)
        self.stdout.write(json.dumps(summary.as_json()))
