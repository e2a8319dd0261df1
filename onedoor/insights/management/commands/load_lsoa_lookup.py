import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.areas.current import district_codes
from onedoor.core.context import origin
from onedoor.insights.context.area_files import read_text
from onedoor.insights.context.errors import ContextDataError
from onedoor.insights.context.lookup import lsoa_lookup_load, read_lookup


class Command(BaseCommand):
    help = (
        "Load an ONS LSOA-to-district lookup (LSOA..CD, LAD..CD, optionally IMD..). A national lookup places rows "
        "of the public crime files that fall in neighbouring districts; the area's own LSOAs load with load_context."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with origin("cli", "load_lsoa_lookup"):
            try:
                lookup = read_lookup(read_text(options["file"]))
                result = lsoa_lookup_load(lookup=lookup, area_districts=frozenset(district_codes()), actor=None)
            except ContextDataError as exc:
                raise CommandError(str(exc)) from None
        for e in lookup.errors:
            self.stderr.write(e)
        self.stdout.write(json.dumps({"lookup": lookup.lookup, **result.summary(), "errors": len(lookup.errors)}))
