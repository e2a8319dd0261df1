from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from onedoor.police.chunks import police_batches_resume_stale


class Command(BaseCommand):
    help = "Resume police import batches left running by a dead worker (idle for --idle seconds)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--idle", type=int, default=600, help="Seconds without progress (default 600)")

    def handle(self, *args: Any, **options: Any) -> None:
        resumed = police_batches_resume_stale(idle=options["idle"])
        self.stdout.write(f"Resumed {len(resumed)} batch(es): {', '.join(map(str, resumed)) or 'none'}")
