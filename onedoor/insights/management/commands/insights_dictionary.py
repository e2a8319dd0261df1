"""Write the data dictionary, docs/insights.md, from the measure registry (`--check` only compares)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from onedoor.insights.dictionary import dictionary_markdown


def default_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "insights.md"


class Command(BaseCommand):
    help = "Write docs/insights.md, the data dictionary, from the measure registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=None, help="Where to write it (default docs/insights.md)")
        parser.add_argument("--check", action="store_true", help="Only say whether the file is current")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or default_path()
        text = dictionary_markdown()
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is not current: run `manage.py insights_dictionary`.")
            self.stdout.write(f"{path} is current.")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}.")
