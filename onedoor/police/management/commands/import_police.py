import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from onedoor.core.context import origin
from onedoor.police.models import BatchStatus, PoliceRowError
from onedoor.police.parser import FileRejected, RowError
from onedoor.police.services import police_batch_dry_run, police_batch_import


def error_line(error: RowError | PoliceRowError) -> str:
    """One row error as the command prints it. The value is there only when the column holds codes
    (police.parser.row_error_value): a victim's details are never printed."""
    sent = f" {error.value!r}" if error.value else ""
    return f"line {error.line}, {error.column}:{sent} expected {error.expected}"


class Command(BaseCommand):
    help = "Import a police overnight transfer file (format v1). Prints row errors, then a JSON summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        with origin("cli", "import_police"), path.open("rb") as f:
            if options["dry_run"]:
                try:
                    result = police_batch_dry_run(f=f)
                except FileRejected as exc:
                    raise CommandError(str(exc)) from None
                for e in result.row_errors:
                    self.stderr.write(error_line(e))
                self.stdout.write(json.dumps(result.summary()))
                return
            bar = tqdm(unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr)
            try:
                batch = police_batch_import(f=f, file_name=path.name, actor=None, channel="cli", progress=bar.update)
            finally:
                bar.close()
        for err in batch.row_errors.order_by("line", "id").iterator():
            self.stderr.write(error_line(err))
        if batch.status == BatchStatus.REJECTED:
            raise CommandError(batch.failure)
        self.stdout.write(json.dumps(batch.summary()))
