import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onedoor.police.generator import generate


class Command(BaseCommand):
    help = "Write a synthetic police transfer file (format v1) following the 2020-21 Warwickshire figures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--bad-rows", type=float, default=0.0, help="Percentage of rows with a fault")
        parser.add_argument("--output", "-o", type=Path, help="File to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = options["output"].open("wb") if options["output"] else sys.stdout.buffer
        try:
            bad = generate(out, rows=options["rows"], seed=options["seed"], bad_percent=options["bad_rows"])
        finally:
            if options["output"]:
                out.close()
        self.stderr.write(f"{options['rows']} rows, {len(bad)} with faults")
