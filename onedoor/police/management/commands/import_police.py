import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from onedoor.core.context import origin
from onedoor.police.models import BatchStatus
from onedoor.police.parser import FileRejected
from onedoor.police.services import police_batch_dry_run, police_batch_import


class Command(BaseCommand):
    help = "Import a police overnight transfer file (format v1). Prints row errors, then a JSON summary."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing")

    def handle(self, *args, **options):
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
                    self.stderr.write(f"line {e.line}, {e.column}: {e.value!r}: expected {e.expected}")
                self.stdout.write(json.dumps(result.summary()))
                return
            bar = tqdm(unit=" rows", disable=not sys.stderr.isatty(), file=sys.stderr)
            try:
                batch = police_batch_import(f=f, file_name=path.name, actor=None, channel="cli", progress=bar.update)
            finally:
                bar.close()
        for err in batch.row_errors.order_by("line", "id").iterator():
            self.stderr.write(f"line {err.line}, {err.column}: {err.value!r}: expected {err.expected}")
        if batch.status == BatchStatus.REJECTED:
            raise CommandError(batch.failure)
        self.stdout.write(json.dumps(batch.summary()))
