from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.current import area_data
from onedoor.core.context import origin
from onedoor.directory.postcodes import PostcodeFileError, onspd_rows
from onedoor.directory.services import postcodes_load


class Command(BaseCommand):
    help = (
        "Load the ONS Postcode Directory (ONSPD) CSV for the area's postcode districts (the area file's "
        "districts[].postcode_districts), replacing what was loaded before. Terminated postcodes and those "
        "without a grid reference are left out. Use the single UK file (Data/ONSPD_<MONTH>_<YEAR>_UK.csv)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv", help="path to the ONSPD CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}. Give the path to the ONSPD CSV (ONSPD_..._UK.csv).")
        outward = sorted({code for d in area_data()["districts"] for code in d.get("postcode_districts", [])})
        if not outward:
            raise CommandError("The area file names no postcode districts (districts[].postcode_districts).")
        try:
            with path.open(newline="", encoding="utf-8-sig") as f:
                rows = list(onspd_rows(f, outward_codes=outward))
        except (PostcodeFileError, UnicodeDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        if not rows:
            raise CommandError(
                f"No live postcodes in {', '.join(outward)} in {path.name}: nothing loaded, the table is unchanged. "
                "Check that this is the UK file, not one region's."
            )
        with origin("cli", "load_postcodes"):
            count = postcodes_load(rows=rows, source=path.name)
        self.stdout.write(f"{count} postcodes loaded for {', '.join(outward)}")
