import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.current import district_codes
from onedoor.core.context import origin
from onedoor.insights.context.area_files import read_text
from onedoor.insights.context.census import census_table_load, comparator_categories, read_census
from onedoor.insights.context.errors import ContextDataError


class Command(BaseCommand):
    help = (
        "Load a Census comparator from a Nomis bulk table for the area's districts, for example "
        "load_census ts021.csv --characteristic ethnicity --table TS021 --year 2021 --title 'Ethnic group' "
        "--source 'Nomis, Census 2021 TS021'. A table loaded again replaces its figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--characteristic", required=True, choices=sorted(comparator_categories()))
        parser.add_argument("--table", required=True)
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--title", required=True)
        parser.add_argument("--source", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with origin("cli", "load_census"):
            try:
                read = read_census(
                    read_text(options["file"]),
                    characteristic=options["characteristic"],
                    districts=frozenset(district_codes()),
                )
                table = census_table_load(
                    read=read,
                    characteristic=options["characteristic"],
                    table=options["table"],
                    year=options["year"],
                    title=options["title"],
                    source=options["source"],
                    actor=None,
                )
            except ContextDataError as exc:
                raise CommandError(str(exc)) from None
        for e in read.errors:
            self.stderr.write(e)
        self.stdout.write(json.dumps({"table": table.label, "cells": len(read.counts), "errors": len(read.errors)}))
