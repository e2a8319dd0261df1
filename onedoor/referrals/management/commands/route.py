import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.referrals.routing import RoutingInputError, RoutingTable


class Command(BaseCommand):
    help = (
        "Route one JSON object, or a list of them, read from standard input, and print a JSON list of "
        "decisions. Keys: age, offence_group, flags, district, consent, source."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Read JSON from standard input (the default).")
        parser.add_argument("--on", help="Route with the rules in force on this date (YYYY-MM-DD).")

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.read()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(f"Standard input is not valid JSON: {exc}") from exc
        items = data if isinstance(data, list) else [data]
        on = date.fromisoformat(options["on"]) if options.get("on") else None
        table = RoutingTable.load(on=on)
        decisions = []
        for i, item in enumerate(items, 1):
            try:
                decisions.append(table.route(item).as_json())
            except RoutingInputError as exc:
                where = f"input {i}: " if len(items) > 1 else ""
                raise CommandError(f"{where}{exc.field}: {exc.message}") from exc
        self.stdout.write(json.dumps(decisions, indent=2))
