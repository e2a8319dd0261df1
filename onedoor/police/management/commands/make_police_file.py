import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.files import AreaConfigError, read_area
from onedoor.police.generator import generate


class Command(BaseCommand):
    help = (
        "Write a synthetic police transfer file (format v1) for an area (its force code, districts and "
        "postcodes), following the seed needs assessment's 2020-21 police figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--bad-rows", type=float, default=0.0, help="Percentage of rows with a fault")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output)")
        parser.add_argument(
            "--area", default=settings.ONEDOOR_AREA, help="Area name or area file path (default: ONEDOOR_AREA)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            area = read_area(options["area"])
        except AreaConfigError as exc:
            raise CommandError(str(exc)) from exc
        out = options["output"].open("wb") if options["output"] else sys.stdout.buffer
        try:
            bad = generate(out, rows=options["rows"], seed=options["seed"], bad_percent=options["bad_rows"], area=area)
        finally:
            if options["output"]:
                out.close()
        self.stderr.write(f"{options['rows']} rows, {len(bad)} with faults")
